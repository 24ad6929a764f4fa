#pragma once
// One function per screen, each in its own view_*.cpp; main.cpp calls them from one place.
#include "app_state.h"

namespace crm {

// The top bar: product name and the sync status.
void draw_status_bar(AppState& app);
// Contacts: the new-contact form and the table of every contact.
void draw_contacts_view(AppState& app);

}  // namespace crm
