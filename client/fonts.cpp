#include "fonts.h"

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

struct State {
    std::set<ImWchar> extra;    // characters met outside kBaseRanges, in the atlas (or asked for)
    std::set<ImWchar> pending;  // met since the last build
    Fallback fallback = Fallback::None;
    std::string fallback_ttf;   // the fallback font's bytes, kept for every rebuild
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
    } else if (!g.extra.empty() && g.fallback == Fallback::Loaded) {
        // Merged: the UI font's glyphs win, the fallback fills in the rest (CJK, Hangul, Kana).
        ImFontConfig merge;
        merge.MergeMode = true;
        merge.OversampleH = 1;
        merge.PixelSnapH = true;
        merge.FontDataOwnedByAtlas = false;
        io.Fonts->AddFontFromMemoryTTF(g.fallback_ttf.data(), static_cast<int>(g.fallback_ttf.size()), 16.0f * dpr,
                                       &merge, g.extra_ranges.Data);
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
        if (g.fallback == Fallback::None) {
            g.fallback = Fallback::Loading;
            platform::fetch_app_file("font-fallback.ttf", [](std::string_view bytes) {
                g.fallback_ttf.assign(bytes);
                g.fallback = bytes.empty() ? Fallback::Failed : Fallback::Loaded;
            });
        }
        if (g.fallback != Fallback::Loading) {
            g.extra.insert(g.pending.begin(), g.pending.end());
            g.pending.clear();
            rebuild = true;
        }
    }
    if (rebuild) build(dpr);
    return rebuild;
}

nlohmann::json report() {
    const char* fallback = g.fallback == Fallback::None      ? "none"
                           : g.fallback == Fallback::Loading ? "loading"
                           : g.fallback == Fallback::Loaded  ? "loaded"
                                                             : "failed";
    nlohmann::json missing = nlohmann::json::array();
    ImGuiIO& io = ImGui::GetIO();
    ImFont* font = io.Fonts->Fonts.empty() ? nullptr : io.Fonts->Fonts[0];
    for (ImWchar c : g.extra)
        if (!font || !font->FindGlyphNoFallback(c)) missing.push_back(static_cast<uint32_t>(c));
    for (ImWchar c : g.pending) missing.push_back(static_cast<uint32_t>(c));
    return {{"fallback", fallback}, {"extraGlyphs", g.extra.size()}, {"missing", missing}};
}

}  // namespace crm::fonts
