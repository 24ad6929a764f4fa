#pragma once
// The UI font atlas. Dear ImGui 1.86 draws only the glyphs baked into its atlas, so the atlas
// holds Latin, Greek, Cyrillic and common punctuation from the start, and every other character
// once the app meets it in text it reads (set_text_observer() in shared/sqlite_db.h), text typed
// or pasted: Vietnamese from the UI font, Chinese, Japanese and Korean from a fallback font
// (DroidSansFallbackFull, 4 MB), symbols and emoji from another (Symbola, 3 MB, monochrome:
// ImGui 1.86 draws no colour glyphs); each is fetched the first time it is needed and cached
// with the app.
#include <string_view>

#include <nlohmann/json.hpp>

namespace crm::fonts {

// Notes the characters of `utf8` the atlas lacks. Cheap for ASCII; safe to call for any text.
void note_text(std::string_view utf8);

// Call once per frame before ImGui::NewFrame(): builds the atlas at the screen's pixel ratio,
// again when the ratio changes or characters met since need glyphs (once the fallback font has
// arrived). True when it rebuilt, so the caller uploads the texture again.
bool update(float device_pixel_ratio);

// For the test hooks: {"fallback" (the CJK font), "symbols": "none"|"loading"|"loaded"|"failed", "extraGlyphs": n,
// "missing": [code points met that the atlas does not hold: no font here has them (emoji), or
// the fallback font is still on its way]}.
nlohmann::json report();

}  // namespace crm::fonts
