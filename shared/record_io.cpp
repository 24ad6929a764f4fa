#include "record_io.h"

namespace crm {

using nlohmann::json;

namespace {
bool nullable(FieldKind k) {
    return k == FieldKind::Integer || k == FieldKind::Real || k == FieldKind::Timestamp || k == FieldKind::Date;
}
}  // namespace

void bind_field(Stmt& st, int index, const FieldSpec& field, const json& value) {
    if (value.is_null()) {
        if (nullable(field.kind)) st.bind_null(index);
        else if (field.kind == FieldKind::Boolean) st.bind(index, int64_t{0});
        else if (field.kind == FieldKind::TextList) st.bind(index, std::string_view("[]"));
        else if (field.kind == FieldKind::Json) st.bind(index, std::string_view(field.json_object ? "{}" : "[]"));
        else st.bind(index, std::string_view(""));
        return;
    }
    switch (field.kind) {
        case FieldKind::Integer:
        case FieldKind::Timestamp: st.bind(index, value.get<int64_t>()); break;
        case FieldKind::Real: st.bind(index, value.get<double>()); break;
        case FieldKind::Boolean: st.bind(index, static_cast<int64_t>(value.get<bool>())); break;
        case FieldKind::TextList:
        case FieldKind::Json: st.bind(index, value.dump()); break;
        default: st.bind(index, value.get_ref<const std::string&>()); break;
    }
}

json read_field(const Stmt& st, int column, const FieldSpec& field) {
    if (st.is_null(column)) return nullptr;
    switch (field.kind) {
        case FieldKind::Integer:
        case FieldKind::Timestamp: return st.integer(column);
        case FieldKind::Real: return st.real(column);
        case FieldKind::Boolean: return st.integer(column) != 0;
        case FieldKind::TextList:
        case FieldKind::Json: {
            json j = json::parse(st.text(column), nullptr, false);
            return j.is_discarded() ? json(nullptr) : j;
        }
        default: return st.text(column);
    }
}

std::string column_list(const RecordSpec& record) {
    std::string cols;
    for (const auto& f : record.fields) cols += (cols.empty() ? "" : ", ") + f.name;
    return cols;
}

json read_record(const Stmt& st, const RecordSpec& record) {
    json j = json::object();
    j["id"] = st.text(0);
    int col = 1;
    for (const auto& f : record.fields) j[f.name] = read_field(st, col++, f);
    json custom = json::parse(st.text(col), nullptr, false);
    j["custom"] = custom.is_object() ? custom : json::object();
    return j;
}

}  // namespace crm
