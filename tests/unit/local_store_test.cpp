#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "local_store.h"
#include "temp_dir.h"

using namespace crm;

static int64_t count_rows(Db& db, const char* table) {
    auto st = db.prepare(std::string("SELECT count(*) FROM ") + table);
    REQUIRE(st.ok());
    REQUIRE(st->step().ok());
    return st->integer(0);
}

TEST_CASE("a created contact is listed and waits in the outbox") {
    TempDir dir;
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    auto c = store->create_contact({"  Ada Lovelace ", "ada@example.com"}, 1000);
    REQUIRE(c.ok());
    CHECK(c->name == "Ada Lovelace");
    auto list = store->list_contacts();
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].email == "ada@example.com");
    CHECK(*store->outbox_size() == 3);  // name, email, created_at
}

TEST_CASE("unsent edits are counted as a person made them, not by field") {
    TempDir dir;
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    auto id = store->create("contact", {{"name", "Ada Lovelace"}, {"email", "ada@example.com"}, {"job_title", "Analyst"}}, 1000);
    REQUIRE(id.ok());
    auto note = store->create("activity", {{"kind", "note"}, {"subject", "Met at the fair"}, {"body", "Wants a demo"},
                                           {"contact_id", *id}}, 1001);
    REQUIRE(note.ok());
    REQUIRE(store->update("contact", *id, {{"job_title", "Mathematician"}}, 1002).ok());
    CHECK(*store->outbox_size() > 3);       // every field of each write
    CHECK(*store->unsent_edits() == 3);     // a new contact, a note, an edit
}

TEST_CASE("an invalid contact is refused and nothing is written") {
    TempDir dir;
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    auto c = store->create_contact({"Bob", "bob@"}, 1000);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().field == "email");
    CHECK(count_rows(store->db(), "contacts") == 0);
    CHECK(count_rows(store->db(), "outbox") == 0);
    CHECK(count_rows(store->db(), "history") == 0);
    CHECK(count_rows(store->db(), "search_docs") == 0);
}

TEST_CASE("contacts, the replica id and the outbox survive closing and reopening the database") {
    TempDir dir;
    std::string replica;
    {
        auto store = LocalStore::open(dir.file("a.db"));
        REQUIRE(store.ok());
        replica = store->replica_id();
        REQUIRE(store->create_contact({"Grace Hopper", ""}, 1000).ok());
    }
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    CHECK(store->replica_id() == replica);
    CHECK(store->list_contacts()->size() == 1);
    CHECK(*store->outbox_size() == 3);
}

TEST_CASE("a retried batch keeps its id, and an acknowledged batch leaves the outbox") {
    TempDir dir;
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    REQUIRE(store->create_contact({"Ada", ""}, 1000).ok());
    auto b1 = store->next_batch();
    auto b2 = store->next_batch();
    REQUIRE((b1.ok() && b2.ok() && b1->has_value() && b2->has_value()));
    CHECK((*b1)->batch_id == (*b2)->batch_id);
    CHECK((*b1)->changes.size() == 3);
    REQUIRE(store->ack_batch((*b1)->last_seq).ok());
    CHECK(*store->outbox_size() == 0);
    auto empty = store->next_batch();
    REQUIRE(empty.ok());
    CHECK_FALSE(empty->has_value());
}

TEST_CASE("pulled changes from another replica show up and advance the cursor") {
    TempDir dir;
    auto a = LocalStore::open(dir.file("a.db"));
    auto b = LocalStore::open(dir.file("b.db"));
    REQUIRE((a.ok() && b.ok()));
    CHECK(a->replica_id() != b->replica_id());
    REQUIRE(a->create_contact({"Ada", "ada@example.com"}, 1000).ok());
    auto batch = a->next_batch();
    REQUIRE((batch.ok() && batch->has_value()));
    REQUIRE(b->apply_pulled((*batch)->changes, 3, 500).ok());
    CHECK(*b->cursor() == 3);
    auto list = b->list_contacts();
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].name == "Ada");
    // b's clock moved past a's stamp, so b's next edit orders after it.
    auto c = b->create_contact({"Later", ""}, 500);
    REQUIRE(c.ok());
    auto bb = b->next_batch();
    CHECK((*bb)->changes[0].hlc > (*batch)->changes[0].hlc);
}

TEST_CASE("text with quotes, SQL, emoji and right-to-left scripts round-trips unchanged") {
    TempDir dir;
    auto store = LocalStore::open(dir.file("a.db"));
    REQUIRE(store.ok());
    const std::string name = "O'Brien \"Bob\"; DROP TABLE contacts;-- 🚀 שלום مرحبا";
    REQUIRE(store->create_contact({name, "o.brien@example.com"}, 1000).ok());
    auto list = store->list_contacts();
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].name == name);
}

TEST_CASE("a damaged database file is reported at open, not used") {
    TempDir dir;
    {
        std::ofstream f(dir.file("bad.db"), std::ios::binary);
        f << "this is not a database, just some bytes that are long enough to look like a header.....";
    }
    auto store = LocalStore::open(dir.file("bad.db"));
    REQUIRE_FALSE(store.ok());
    CHECK_FALSE(store.error().message.empty());
}

TEST_CASE("damage in pages that opening does not read shows in damage() as soon as SQLite meets it") {
    TempDir dir;
    const std::string path = dir.file("damaged-later.db");
    {
        auto store = LocalStore::open(path);
        REQUIRE(store.ok());
        for (int i = 0; i < 2000; ++i)
            REQUIRE(store->create_contact({"Contact " + std::to_string(i), "c" + std::to_string(i) + "@example.com"}, 1000 + i).ok());
        CHECK(store->damage().empty());
    }
    {
        // Garbage over the second half of the file, past the schema and identity pages.
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekg(0, std::ios::end);
        const std::streamoff size = f.tellg();
        REQUIRE(size > 100 * 4096);
        const std::string garbage(static_cast<size_t>(size / 2 / 4096 * 4096), '\xAB');
        f.seekp(size / 2 / 4096 * 4096);
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto store = LocalStore::open(path);
    REQUIRE_MESSAGE(store.ok(), "the schema and identity are intact: " << store.error().to_string());
    CHECK(store->damage().empty());
    auto list = store->list_contacts();
    CHECK_FALSE(list.ok());
    CHECK(store->damage().find("malformed") != std::string::npos);
}

TEST_CASE("after the server loses its log, a replica re-sends every field it holds with the original stamps") {
    TempDir dir;
    auto a = LocalStore::open(dir.file("a.db"));
    auto b = LocalStore::open(dir.file("b.db"));
    REQUIRE((a.ok() && b.ok()));
    auto ada = a->create("contact", {{"name", "Ada"}, {"email", "ada@example.com"}}, 1000);
    REQUIRE(ada.ok());
    REQUIRE(a->update("contact", *ada, {{"job_title", "Analyst"}}, 2000).ok());
    auto sent = a->next_batch();
    REQUIRE(a->ack_batch((*sent)->last_seq).ok());
    REQUIRE(a->apply_pulled({}, 7, 2000).ok());
    CHECK(*a->outbox_size() == 0);

    REQUIRE(a->resend_everything().ok());
    CHECK(*a->cursor() == 0);
    auto again = a->next_batch();
    REQUIRE((again.ok() && again->has_value()));
    // Another replica that receives only the re-sent changes ends with the same contact.
    REQUIRE(b->apply_pulled((*again)->changes, 1, 3000).ok());
    auto copy = b->get("contact", *ada);
    REQUIRE(copy.ok());
    CHECK((*copy)["name"] == "Ada");
    CHECK((*copy)["job_title"] == "Analyst");
    CHECK((*copy)["created_at"] == 1000);
    // The stamps are the originals, so re-sending cannot win over newer edits elsewhere.
    std::set<std::string> stamps;
    for (const auto& c : (*again)->changes) stamps.insert(c.hlc);
    for (const auto& c : (*sent)->changes) CHECK(stamps.count(c.hlc) == 1);
    // The default pipeline every replica seeds is not re-sent.
    for (const auto& c : (*again)->changes) CHECK(c.record_type == "contact");
}
