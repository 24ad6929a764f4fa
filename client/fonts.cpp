#include "fonts.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "imgui.h"
#include "platform.h"

namespace crm::fonts {
namespace {

// Always in the atlas (from the UI font): what most workspaces write in.
const ImWchar kBaseRanges[] = {0x0020, 0x024F,  // Latin, Latin-1, Latin Extended
                               0x0370, 0x03FF,  // Greek
                               0x0400, 0x04FF,  // Cyrillic
                               0x2000, 0x206F,  // punctuation
                               0x20A0, 0x20CF,  // currency signs
                               0x2190, 0x21FF,  // arrows
                               0};

// A ceiling on the glyphs added as met, so that the atlas stays a texture WebGL can hold
// (about 4,000 CJK glyphs at 32 px is a 2048 x 2048 texture). Past it, new characters show as
// the fallback box.
constexpr size_t kMaxExtraGlyphs = 4000;

enum class Fallback { None, Loading, Loaded, Failed };

// Symbols and emoji (monochrome: Dear ImGui 1.86 draws no colour glyphs) come from their own font.
bool is_symbol(uint32_t cp) { return (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF); }

// The fonts merged after the UI font, in this order (the first that has a glyph gives it), each
// fetched the first time a character it is for is met.
struct FallbackFont {
    const char* file;            // beside index.html
    bool for_symbols;            // fetched for is_symbol() characters; the other for the rest
    Fallback state = Fallback::None;
    std::string ttf;             // its bytes, kept for every rebuild
};

struct State {
    std::set<ImWchar> extra;    // characters met outside kBaseRanges, in the atlas (or asked for)
    std::set<ImWchar> pending;  // met since the last build
    FallbackFont fallbacks[2] = {{"font-fallback.ttf", false}, {"font-symbols.ttf", true}};
    float built_dpr = 0;
    int clipboard_version = 0;  // of the clipboard text last looked at
    ImVector<ImWchar> ui_ranges, extra_ranges;  // must outlive the atlas build
};
State g;

bool in_base(uint32_t cp) {
    for (const ImWchar* r = kBaseRanges; r[0]; r += 2)
        if (cp >= r[0] && cp <= r[1]) return true;
    return false;
}

void note(uint32_t cp) {
    if (cp < 0x20 || in_base(cp) || cp > IM_UNICODE_CODEPOINT_MAX) return;
    const auto c = static_cast<ImWchar>(cp);
    if (g.extra.count(c) || g.pending.count(c)) return;
    if (g.extra.size() + g.pending.size() >= kMaxExtraGlyphs) return;
    g.pending.insert(c);
}

void build(float dpr) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontGlyphRangesBuilder ui, extra;
    ui.AddRanges(kBaseRanges);
    for (ImWchar c : g.extra) {
        ui.AddChar(c);
        extra.AddChar(c);
    }
    g.ui_ranges.clear();
    g.extra_ranges.clear();
    ui.BuildRanges(&g.ui_ranges);
    extra.BuildRanges(&g.extra_ranges);
    ImFontConfig config;
    config.OversampleH = 1;
    config.PixelSnapH = true;
    ImFont* font = io.Fonts->AddFontFromFileTTF("/fonts/ui.ttf", 16.0f * dpr, &config, g.ui_ranges.Data);
    if (!font) {
        io.Fonts->AddFontDefault();
    } else if (!g.extra.empty()) {
        // Merged: the UI font's glyphs win, the fallbacks fill in the rest (CJK, Hangul, Kana;
        // then symbols and emoji). A glyph no font has stays the fallback box.
        ImFontConfig merge = config;
        merge.MergeMode = true;
        merge.FontDataOwnedByAtlas = false;
        for (FallbackFont& f : g.fallbacks) {
            if (f.state != Fallback::Loaded) continue;
            io.Fonts->AddFontFromMemoryTTF(f.ttf.data(), static_cast<int>(f.ttf.size()), 16.0f * dpr, &merge,
                                           g.extra_ranges.Data);
        }
    }
    io.FontGlobalScale = 1.0f / dpr;
    g.built_dpr = dpr;
}

}  // namespace

void note_text(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        const size_t len = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
        if (len == 1 || i + len > s.size()) {
            ++i;  // not UTF-8: nothing to draw from it
            continue;
        }
        uint32_t cp = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        note(cp);
        i += len;
    }
}

bool update(float dpr) {
    // Typed (or composed) this frame, and pasted: shown in a field before any database read.
    const ImGuiIO& io = ImGui::GetIO();
    for (ImWchar c : io.InputQueueCharacters) note(c);
    int version = 0;
    const std::string_view clip = platform::clipboard_text(&version);
    if (version != g.clipboard_version) {
        g.clipboard_version = version;
        note_text(clip);
    }
    bool rebuild = dpr != g.built_dpr;
    if (!g.pending.empty()) {
        // The fonts these characters need: fetched once; the atlas waits for them (a few ms on
        // loopback or from the service worker's cache).
        bool waiting = false;
        for (FallbackFont& f : g.fallbacks) {
            const bool needed =
                std::any_of(g.pending.begin(), g.pending.end(), [&](ImWchar c) { return is_symbol(c) == f.for_symbols; });
            if (!needed) continue;
            if (f.state == Fallback::None) {
                f.state = Fallback::Loading;
                platform::fetch_app_file(f.file, [&f](std::string_view bytes) {
                    f.ttf.assign(bytes);
                    f.state = bytes.empty() ? Fallback::Failed : Fallback::Loaded;
                });
            }
            waiting |= f.state == Fallback::Loading;
        }
        if (!waiting) {
            g.extra.insert(g.pending.begin(), g.pending.end());
            g.pending.clear();
            rebuild = true;
        }
    }
    if (rebuild) build(dpr);
    return rebuild;
}

nlohmann::json report() {
    auto state = [](Fallback f) {
        return f == Fallback::None ? "none" : f == Fallback::Loading ? "loading" : f == Fallback::Loaded ? "loaded" : "failed";
    };
    nlohmann::json missing = nlohmann::json::array();
    ImGuiIO& io = ImGui::GetIO();
    ImFont* font = io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
    for (ImWchar c : g.extra)
        if (!font || !font->FindGlyphNoFallback(c)) missing.push_back(static_cast<uint32_t>(c));
    for (ImWchar c : g.pending) missing.push_back(static_cast<uint32_t>(c));
    return {{"fallback", state(g.fallbacks[0].state)}, {"symbols", state(g.fallbacks[1].state)},
            {"extraGlyphs", g.extra.size()}, {"missing", missing}};
}

}  // namespace crm::fonts
