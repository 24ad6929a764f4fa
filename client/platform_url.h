#pragma once
// The page's address as the app's navigation: the part after '#' names the screen
// ("/contacts", "/contact/<id>"), each navigation adds a history entry, and Back, Forward or an
// opened link bring the app to the screen they name. platform_web_url.cpp implements it.
#include <string>

namespace crm::platform {

// The address's fragment without the '#': "/contact/0123...". Empty when there is none.
std::string url_fragment();
// The page's address without its fragment: "http://127.0.0.1:8080/".
std::string page_address();
// Adds a history entry for `fragment` (Back returns to the current one); no reload.
void push_url(const std::string& fragment);
// Replaces the current history entry's fragment; no new entry.
void replace_url(const std::string& fragment);
// True once after the address changed outside the app (Back, Forward, an edited or followed
// link), until the next call.
bool take_url_change();
// Whether take_url_change() would return true, without taking the change: the frame loop draws
// a frame for it even when the person did not touch the canvas.
bool url_change_pending();

}  // namespace crm::platform
