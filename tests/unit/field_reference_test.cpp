// The field reference in docs/domain.md is the registry's: a client written from the document
// sends what the server accepts.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "field_reference.h"

TEST_CASE("docs/domain.md lists every record type's fields exactly as the registry defines them") {
    std::ifstream in(std::string(CRM_SOURCE_DIR) + "/docs/domain.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const std::string heading = "\n## Fields\n";
    const size_t at = doc.find(heading);
    REQUIRE_MESSAGE(at != std::string::npos, "docs/domain.md has no '## Fields' section");
    const size_t table = doc.find("| type |", at);
    REQUIRE(table != std::string::npos);
    size_t end = doc.find("\n\n", table);
    const std::string in_doc = doc.substr(table, end == std::string::npos ? std::string::npos : end + 1 - table);
    const std::string expected = crm::field_reference_markdown();
    if (in_doc != expected) {
        // Say where they part, so the fix is obvious: regenerate with ./crm admin fields.
        size_t line = 1, i = 0;
        for (; i < in_doc.size() && i < expected.size() && in_doc[i] == expected[i]; ++i) line += in_doc[i] == '\n';
        FAIL_CHECK("docs/domain.md's field table differs from the registry at table line ", line,
                   ": regenerate it with `./crm admin fields` and replace the table under '## Fields'");
    }
    CHECK(in_doc == expected);
}
