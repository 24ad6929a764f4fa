#include <algorithm>
#include <ctime>

#include "imgui.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace crm {
namespace {

std::string format_time(int64_t ms) {
    if (ms <= 0) return "";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

void save_contact(AppState& app) {
    ContactForm& f = app.contacts.form;
    f.name_error.clear();
    f.email_error.clear();
    f.save_error.clear();
    ContactInput input = normalized({f.name, f.email});
    auto errors = validate_contact(input);
    for (const auto& e : errors) (e.field == "name" ? f.name_error : f.email_error) = e.message;
    if (!errors.empty()) return;
    auto created = app.store->create_contact(input, sync_now(app));
    if (!created) {
        f.save_error = created.error().to_string();
        return;
    }
    platform::persist();
    sync_request(app);
    f.name[0] = f.email[0] = '\0';
    f.focus_name = true;
    app.contacts.stale = true;
}

// A labelled text field with its error shown right under it.
bool form_field(const char* label, const char* id, char* buf, size_t size, const std::string& error, float label_w,
                float field_w, bool focus) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(field_w);
    if (focus) ImGui::SetKeyboardFocusHere();
    bool enter = ImGui::InputText(id, buf, size, ImGuiInputTextFlags_EnterReturnsTrue);
    test_hooks::track(label);
    if (!error.empty()) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kError, "%s %s", label, error.c_str());
        test_hooks::track(std::string(label) + " error");
    }
    return enter;
}

void draw_form(AppState& app) {
    ContactForm& f = app.contacts.form;
    ImGui::TextColored(theme::kMuted, "NEW CONTACT");
    const float label_w = ImGui::CalcTextSize("Email").x + ImGui::GetStyle().WindowPadding.x + 16;
    const float field_w = std::min(360.0f, ImGui::GetContentRegionAvail().x * 0.5f);
    bool submit = form_field("Name", "##name", f.name, sizeof f.name, f.name_error, label_w, field_w, f.focus_name);
    f.focus_name = false;
    submit |= form_field("Email", "##email", f.email, sizeof f.email, f.email_error, label_w, field_w, false);
    ImGui::SetCursorPosX(label_w);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    submit |= ImGui::Button("Save contact");
    ImGui::PopStyleColor();
    test_hooks::track("Save");
    if (!f.save_error.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(theme::kError, "%s", f.save_error.c_str());
    }
    if (submit) save_contact(app);
}

void sort_rows(ContactsView& v) {
    auto key = [&](const Contact& c) -> std::string_view {
        return v.sort_column == 1 ? std::string_view(c.email) : std::string_view(c.name);
    };
    std::stable_sort(v.rows.begin(), v.rows.end(), [&](const Contact& a, const Contact& b) {
        if (v.sort_column == 2) return v.sort_ascending ? a.created_at < b.created_at : a.created_at > b.created_at;
        // Case-insensitive for ASCII; full collation comes with the domain's sorted queries.
        auto ka = key(a), kb = key(b);
        bool less = std::lexicographical_compare(ka.begin(), ka.end(), kb.begin(), kb.end(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
        });
        bool greater = std::lexicographical_compare(kb.begin(), kb.end(), ka.begin(), ka.end(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
        });
        return v.sort_ascending ? less : greater;
    });
}

void draw_table(AppState& app) {
    ContactsView& v = app.contacts;
    if (v.stale) {
        if (auto rows = app.store->list_contacts()) {
            v.rows = std::move(*rows);
            sort_rows(v);
        }
        v.stale = false;
    }
    ImGui::TextColored(theme::kMuted, "CONTACTS");
    ImGui::SameLine();
    ImGui::TextColored(theme::kMuted, "%zu", v.rows.size());

    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable | ImGuiTableFlags_Reorderable |
                                  ImGuiTableFlags_Hideable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("contacts", 3, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthStretch, 2.0f);
    ImGui::TableSetupColumn("Email", ImGuiTableColumnFlags_WidthStretch, 2.0f);
    ImGui::TableSetupColumn("Created", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
        if (specs->SpecsCount > 0) {
            v.sort_column = specs->Specs[0].ColumnIndex;
            v.sort_ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        }
        sort_rows(v);
        specs->SpecsDirty = false;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(v.rows.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const Contact& c = v.rows[static_cast<size_t>(i)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.name.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.email.c_str());
            ImGui::TableNextColumn();
            ImGui::TextColored(theme::kMuted, "%s", format_time(c.created_at).c_str());
        }
    }
    ImGui::EndTable();
    if (v.rows.empty()) {
        const char* hint = "No contacts yet. Type a name above and press Enter to add the first one.";
        ImVec2 size = ImGui::CalcTextSize(hint);
        ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddText(ImVec2((min.x + max.x - size.x) * 0.5f, min.y + (max.y - min.y) * 0.4f),
                                            ImGui::GetColorU32(theme::kMuted), hint);
    }
}

}  // namespace

void draw_contacts_view(AppState& app) {
    draw_form(app);
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
    draw_table(app);
}

}  // namespace crm
