#pragma once
// What the screens share: how a field is named, shown and edited, links between records,
// titles of referenced records, and the bookkeeping after a local edit. No screen calls another.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app_state.h"
#include "imgui.h"

namespace crm {

// One field of a record type as the views see it: a registry field or a custom field.
struct FieldInfo {
    std::string name;   // "email", "custom.tier"
    std::string label;  // "Email", "Tier"
    FieldKind kind = FieldKind::Text;
    std::vector<std::string> choices;  // Choice (and multi-choice custom fields, as TextList)
    std::string ref_type;              // Ref
    bool required = false;
    bool multiline = false;  // notes, descriptions
    bool read_only = false;  // kept by the CRM (times it computes, the deleted flag)
    bool money = false;      // amounts: two decimals, right-aligned
    std::string shape;       // Json: "address", "consent", "labelled"
};

// Every field of `type` in registry order, custom fields after, as the views show them
// (id, deleted and the merge's bookkeeping left out; updated_at added).
std::vector<FieldInfo> fields_of(const std::string& type, const std::vector<CustomField>& custom);
// The custom fields defined for a record type, by position.
std::vector<CustomField> load_custom_fields(LocalStore& store, const std::string& type);

// "Contacts" / "Contact" / "contact" for a record type.
const char* plural_label(const std::string& type);
const char* singular_label(const std::string& type);
// "Contacts" -> "contacts"
std::string lowercase(std::string text);
// "sales_qualified_lead" -> "Sales qualified lead"
std::string humanize(const std::string& name);
// "2025-06-15 14:03" in the device's time zone; "" for 0 or null.
std::string format_time(int64_t ms);
// "12,500.00" with `decimals` places and thousands separators.
std::string format_number(double value, int decimals);
// A count with its noun in the right number: "1 deal", "2 deals", "1,204 open tasks". Every count
// the screens show goes through this.
std::string count_text(int64_t n, const char* singular, const char* plural);
// A record's value of `field` for a table cell or a read-only line.
std::string format_value(const FieldInfo& field, const nlohmann::json& record,
                         const std::map<std::string, std::string>& titles);
// A record's value of `field` ("email", "custom.tier"), null when absent.
nlohmann::json field_value(const nlohmann::json& record, const std::string& field);
// The name of a record for lists and links.
std::string record_title(const std::string& type, const nlohmann::json& record);

// Looks up the titles of the records that `records` refer to through `fields` and adds them to
// `titles` as "type/id" -> title: one query per referenced type.
void load_titles(LocalStore& store, const std::vector<nlohmann::json>& records, const std::vector<FieldInfo>& fields,
                 std::map<std::string, std::string>& titles);

// The text a person edits for a value, and back: parse_edit gives the value to store, or an
// error in the domain's words when the text cannot be one ("must be a number, got 'abc'").
std::string edit_text(const FieldInfo& field, const nlohmann::json& value);
Result<nlohmann::json> parse_edit(const FieldInfo& field, const std::string& text, const nlohmann::json& before);

// ImGui's InputText on a std::string that grows as the person types.
bool input_text(const char* id, std::string& text, ImGuiInputTextFlags flags = 0, const char* hint = nullptr);
bool input_multiline(const char* id, std::string& text, const ImVec2& size, ImGuiInputTextFlags flags = 0);

struct EditorResult {
    bool commit = false;  // the value should be saved: Enter, leaving the field after typing, a pick
    bool enter = false;   // Enter was pressed in a one-line field
    bool cancel = false;  // Esc left the field: the caller puts the stored value back
};
// Draws the editor of one field. `track` names its rectangle for the tests, and the error is
// drawn beside it under "<track> error". `titles` ("type/id" -> name) saves looking up the name
// of a referenced record.
EditorResult field_editor(AppState& app, const FieldInfo& field, FieldEdit& edit, const std::string& track, float width,
                          bool frameless, const std::map<std::string, std::string>* titles = nullptr);

// Text that looks and acts like a link; returns true when clicked.
bool link(const std::string& text, const std::string& track);
// A button in the accent colour (primary) or a quiet one.
bool primary_button(const char* label, const std::string& track);
bool quiet_button(const char* label, const std::string& track);
// Combo boxes with a quiet arrow button (the accent colour is for primary actions).
void push_quiet_combo();
void pop_quiet_combo();
// Text drawn larger, for a screen's or a record's title.
void title_text(const std::string& text);
// Muted small caps-style heading.
void section_heading(const char* text);
// Text right-aligned in the current table cell or line.
void text_right(const std::string& text);

// True while a value is being typed into a table's filter bar (it applies when typing pauses).
bool filter_typing(const TableView& table);
// After every local edit: ask for a sync, persist the database, and let views reload.
void after_local_edit(AppState& app);
// Moves to `route` and adds a history entry (defined in view_shell.cpp).
void navigate(AppState& app, const Route& route);
// "#/contacts", "#/contact/<id>" without the '#', and back (nullopt for an address naming nothing).
std::string route_path(const Route& route);
std::optional<Route> parse_route(const std::string& path);
// The route of a record's page.
Route record_route(const std::string& type, const std::string& id);

}  // namespace crm
