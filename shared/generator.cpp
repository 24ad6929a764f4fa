#include "generator.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <unordered_set>
#include <vector>

#include "field_syntax.h"
#include "hlc.h"
#include "records.h"

namespace crm {
namespace {

using nlohmann::json;

// Records per Edit. Each commit rewrites (and first journals) the index pages the chunk touched,
// and ids are random, so small chunks touch the same pages again and again: 5000 took the full
// data set 63 s, 20000 took 50 s, 50000 no faster. The chunk ends by records written, so one
// edit's clock counter (its stamps share one millisecond) stays far below HlcClock::kMaxCounter.
constexpr int64_t kChunkRecords = 20000;
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

// ---- random numbers ----------------------------------------------------------------------------

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// xoshiro256**, seeded through splitmix64: the same sequence on every compiler and standard
// library, which std::uniform_int_distribution does not promise. Callers draw at most one number
// per operand of an expression such as a + b: C++ leaves the order of those operands open, and
// GCC and Clang (the browser build) pick differently. Braced lists, ?:, && and statements are
// evaluated in order.
class Rng {
public:
    Rng(uint64_t seed, uint64_t stream) {
        uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
        for (auto& x : s_) x = splitmix64(s);
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) for n > 0; the modulo bias is below 1e-12 for the sizes used here.
    int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
    // Uniform in [lo, hi], both included.
    int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
    bool percent(int p) { return below(100) < p; }
    template <class T, size_t N>
    const T& pick(const T (&items)[N]) {
        return items[static_cast<size_t>(below(static_cast<int64_t>(N)))];
    }
    template <class T>
    const T& pick(const std::vector<T>& items) {
        return items[static_cast<size_t>(below(static_cast<int64_t>(items.size())))];
    }
    // An index into `weights`, each chosen in proportion to its weight.
    size_t weighted(std::initializer_list<int> weights) {
        int total = 0;
        for (int w : weights) total += w;
        int64_t r = below(total);
        size_t i = 0;
        for (int w : weights) {
            if (r < w) return i;
            r -= w;
            ++i;
        }
        return weights.size() - 1;
    }
    // `pattern` with '#' a digit, '%' a digit from 1 to 9, '@' a capital letter, the rest as is.
    std::string fill(std::string_view pattern) {
        std::string out(pattern);
        for (char& c : out) {
            if (c == '#')
                c = static_cast<char>('0' + below(10));
            else if (c == '%')
                c = static_cast<char>('1' + below(9));
            else if (c == '@')
                c = static_cast<char>('A' + below(26));
        }
        return out;
    }
    // 32 lowercase hex digits.
    std::string id() {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out(32, '0');
        for (int half = 0; half < 2; ++half) {
            uint64_t r = next();
            for (int i = 0; i < 16; ++i) out[static_cast<size_t>(half * 16 + i)] = kHex[(r >> (i * 4)) & 0xF];
        }
        return out;
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<uint64_t, 4> s_{};
};

// ---- word lists --------------------------------------------------------------------------------

struct Country {
    std::string_view code, currency, tld;
    std::string_view phone;   // pattern for Rng::fill, in ranges reserved for fiction where they exist
    std::string_view postal;  // pattern for Rng::fill that validate_postal_code accepts for `code`
    int64_t revenue_scale;    // units of the currency per US dollar, roughly
    bool number_first;        // "12 Main Street" rather than "Hauptstraße 12"
    std::vector<std::string_view> legal_forms, cities, regions, streets;  // regions parallel cities
};

// One country per entry reads better than one value per line.
// clang-format off
const std::vector<Country>& countries() {
    static const std::vector<Country> list = {
        {"US", "USD", "com", "+1 555 01## ####", "#####", 1, true, {"Inc.", "LLC", "Corp."},
         {"New York", "San Francisco", "Austin", "Chicago", "Seattle", "Boston", "Denver"},
         {"NY", "CA", "TX", "IL", "WA", "MA", "CO"},
         {"Main Street", "Market Street", "Oak Avenue", "Broadway", "Elm Street", "Pine Street", "Lake Shore Drive"}},
        {"CA", "CAD", "ca", "+1 555 01## ####", "@#@ #@#", 1, true, {"Inc.", "Ltd."},
         {"Toronto", "Vancouver", "Montréal", "Calgary"},
         {"ON", "BC", "QC", "AB"},
         {"King Street West", "Granville Street", "Rue Sainte-Catherine", "Stephen Avenue"}},
        {"GB", "GBP", "co.uk", "+44 20 7946 0###", "@@#@ #@@", 1, true, {"Ltd", "plc", "LLP"},
         {"London", "Manchester", "Edinburgh", "Bristol", "Leeds"},
         {"", "", "", "", ""},
         {"High Street", "Station Road", "Church Lane", "King's Road", "Victoria Street"}},
        {"DE", "EUR", "de", "+49 30 9### ####", "#####", 1, false, {"GmbH", "AG", "KG"},
         {"Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Düsseldorf"},
         {"", "", "", "", "", ""},
         {"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Friedrichstraße"}},
        {"FR", "EUR", "fr", "+33 1 ## ## ## ##", "#####", 1, true, {"SA", "SAS", "SARL"},
         {"Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux"},
         {"", "", "", "", ""},
         {"rue de la République", "avenue Victor Hugo", "boulevard Saint-Michel", "rue du Faubourg Saint-Honoré"}},
        {"NL", "EUR", "nl", "+31 20 ### ####", "%### @@", 1, false, {"B.V.", "N.V."},
         {"Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"},
         {"", "", "", ""},
         {"Keizersgracht", "Damstraat", "Stationsplein", "Coolsingel"}},
        {"ES", "EUR", "es", "+34 91 ### ## ##", "#####", 1, false, {"S.L.", "S.A."},
         {"Madrid", "Barcelona", "Valencia", "Sevilla"},
         {"", "", "", ""},
         {"Calle Mayor", "Gran Vía", "Paseo de Gracia", "Calle de Alcalá"}},
        {"IT", "EUR", "it", "+39 02 #### ####", "#####", 1, false, {"S.r.l.", "S.p.A."},
         {"Milano", "Roma", "Torino", "Bologna"},
         {"", "", "", ""},
         {"Via Roma", "Corso Italia", "Via Garibaldi", "Via Dante"}},
        {"SE", "SEK", "se", "+46 8 ### ### ##", "### ##", 10, false, {"AB"},
         {"Stockholm", "Göteborg", "Malmö"},
         {"", "", ""},
         {"Drottninggatan", "Storgatan", "Kungsgatan"}},
        {"DK", "DKK", "dk", "+45 ## ## ## ##", "%###", 7, false, {"A/S", "ApS"},
         {"København", "Aarhus", "Odense"},
         {"", "", ""},
         {"Strøget", "Vesterbrogade", "Nørregade"}},
        {"PL", "PLN", "pl", "+48 22 ### ## ##", "##-###", 4, false, {"sp. z o.o.", "S.A."},
         {"Warszawa", "Kraków", "Wrocław", "Gdańsk"},
         {"", "", "", ""},
         {"ul. Marszałkowska", "ul. Floriańska", "ul. Świdnicka", "ul. Długa"}},
        {"CH", "CHF", "ch", "+41 44 ### ## ##", "%###", 1, false, {"AG", "GmbH", "SA"},
         {"Zürich", "Genève", "Basel", "Bern"},
         {"ZH", "GE", "BS", "BE"},
         {"Bahnhofstrasse", "Rue du Rhône", "Freie Strasse", "Marktgasse"}},
        {"AU", "AUD", "com.au", "+61 2 5550 ####", "%###", 1, true, {"Pty Ltd"},
         {"Sydney", "Melbourne", "Brisbane", "Perth"},
         {"NSW", "VIC", "QLD", "WA"},
         {"George Street", "Collins Street", "Queen Street", "Hay Street"}},
        {"JP", "JPY", "co.jp", "+81 3 #### ####", "###-####", 150, true, {"K.K.", "Co., Ltd."},
         {"Tokyo", "Osaka", "Yokohama", "Kyoto"},
         {"Tokyo", "Osaka", "Kanagawa", "Kyoto"},
         {"Marunouchi", "Umeda", "Minatomirai", "Karasuma-dori"}},
    };
    return list;
}
// clang-format on
// How often each country above is chosen, in the same order.
constexpr std::initializer_list<int> kCountryWeights = {30, 4, 12, 12, 8, 6, 4, 3, 3, 2, 2, 2, 3, 3};

constexpr std::string_view kCompanyWords[] = {
    "Northwind", "Blue Harbor", "Acme",       "Vertex",     "Silverline", "Granite",    "Brightwater", "Copperfield",
    "Evergreen", "Ironwood",    "Lighthouse", "Meridian",   "Nimbus",     "Oakridge",   "Pinnacle",    "Quantum",
    "Redwood",   "Summit",      "Tidewater",  "Uplands",    "Westbrook",  "Zenith",     "Alder",       "Beacon",
    "Cobalt",    "Driftwood",   "Emberly",    "Foxglove",   "Goldcrest",  "Highgate",   "Juniper",     "Kestrel",
    "Lakeside",  "Maple",       "Nordlicht",  "Orchard",    "Polaris",    "Riverstone", "Sapphire",    "Thornbury",
    "Umbra",     "Valewood",    "Wildrose",   "Yellowpine", "Aurora",     "Bramble",    "Crescent",    "Delta",
};
constexpr std::string_view kCompanyCores[] = {
    "Analytics", "Logistics", "Foods",   "Systems",   "Robotics", "Consulting", "Software",  "Energy",
    "Health",    "Labs",      "Media",   "Capital",   "Dynamics", "Networks",   "Solutions", "Industries",
    "Bakeries",  "Textiles",  "Pharma",  "Security",  "Telecom",  "Travel",     "Partners",  "Engineering",
    "Studios",   "Materials", "Devices", "Biotech",   "Freight",  "Insurance",  "Interiors", "Outdoor",
    "Retail",    "Solar",     "Water",   "Aerospace", "Learning", "Mobility",   "Packaging", "Instruments",
};
constexpr std::string_view kIndustries[] = {
    "Software",           "Manufacturing",     "Retail",      "Healthcare",
    "Financial services", "Logistics",         "Education",   "Energy",
    "Construction",       "Hospitality",       "Media",       "Telecommunications",
    "Pharmaceuticals",    "Automotive",        "Agriculture", "Real estate",
    "Consulting",         "Food and beverage", "Aerospace",   "Non-profit",
};
constexpr std::string_view kOwners[] = {"ada", "grace", "linus", "margaret", "alan", "barbara", "dennis", "katherine"};

struct Name {
    std::string_view shown, ascii;  // ascii: for email addresses
};
// clang-format off
constexpr Name kFirstNames[] = {
    {"James", "james"}, {"Mary", "mary"}, {"Emma", "emma"}, {"Oliver", "oliver"},
    {"Sophia", "sophia"}, {"Liam", "liam"}, {"Olivia", "olivia"}, {"Noah", "noah"},
    {"Ava", "ava"}, {"William", "william"}, {"Isabella", "isabella"}, {"Lucas", "lucas"},
    {"Mia", "mia"}, {"Ethan", "ethan"}, {"Charlotte", "charlotte"}, {"Benjamin", "benjamin"},
    {"Amelia", "amelia"}, {"Henry", "henry"}, {"Harper", "harper"}, {"Alexander", "alexander"},
    {"Evelyn", "evelyn"}, {"Daniel", "daniel"}, {"Grace", "grace"}, {"Matthew", "matthew"},
    {"Zoë", "zoe"}, {"José", "jose"}, {"Łukasz", "lukasz"}, {"Søren", "soren"},
    {"Chloé", "chloe"}, {"Björn", "bjorn"}, {"François", "francois"}, {"Mónica", "monica"},
    {"Jürgen", "jurgen"}, {"Ólafur", "olafur"}, {"Inès", "ines"}, {"Mei", "mei"},
    {"Hiroshi", "hiroshi"}, {"Aiko", "aiko"}, {"Priya", "priya"}, {"Arjun", "arjun"},
    {"Fatima", "fatima"}, {"Omar", "omar"}, {"Kwame", "kwame"}, {"Amara", "amara"},
    {"Ngozi", "ngozi"}, {"Thảo", "thao"}, {"Minh", "minh"}, {"Sofía", "sofia"},
    {"Mateo", "mateo"}, {"Agnieszka", "agnieszka"}, {"Małgorzata", "malgorzata"}, {"Anders", "anders"},
    {"Ingrid", "ingrid"}, {"Giulia", "giulia"}, {"Lorenzo", "lorenzo"}, {"Anaïs", "anais"},
    {"Elif", "elif"}, {"Çağan", "cagan"}, {"Yuki", "yuki"}, {"Seo-yeon", "seoyeon"},
    {"Ji-ho", "jiho"}, {"Lars", "lars"}, {"Katarzyna", "katarzyna"}, {"Dmitri", "dmitri"},
    {"Ana", "ana"}, {"Pedro", "pedro"}, {"Hannah", "hannah"}, {"Jonas", "jonas"},
    {"Leonie", "leonie"}, {"Maximilian", "maximilian"}, {"Aoife", "aoife"}, {"Siobhán", "siobhan"},
};
constexpr Name kLastNames[] = {
    {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Jones", "jones"}, {"Miller", "miller"}, {"Davis", "davis"}, {"Wilson", "wilson"},
    {"Taylor", "taylor"}, {"Anderson", "anderson"}, {"Thomas", "thomas"}, {"Moore", "moore"},
    {"Martin", "martin"}, {"Lee", "lee"}, {"Clark", "clark"}, {"Lewis", "lewis"},
    {"Walker", "walker"}, {"Hall", "hall"}, {"Young", "young"}, {"King", "king"},
    {"Nguyễn", "nguyen"}, {"Trần", "tran"}, {"Müller", "mueller"}, {"Schmidt", "schmidt"},
    {"Schröder", "schroeder"}, {"Weiß", "weiss"}, {"García", "garcia"}, {"Martínez", "martinez"},
    {"López", "lopez"}, {"Fernández", "fernandez"}, {"Sørensen", "sorensen"}, {"Jørgensen", "jorgensen"},
    {"Kowalski", "kowalski"}, {"Wiśniewski", "wisniewski"}, {"Dvořák", "dvorak"}, {"Novák", "novak"},
    {"Dubois", "dubois"}, {"Lefèvre", "lefevre"}, {"Moreau", "moreau"}, {"Rossi", "rossi"},
    {"Bianchi", "bianchi"}, {"Esposito", "esposito"}, {"Tanaka", "tanaka"}, {"Suzuki", "suzuki"},
    {"Watanabe", "watanabe"}, {"Kim", "kim"}, {"Park", "park"}, {"Chen", "chen"},
    {"Wang", "wang"}, {"Li", "li"}, {"Singh", "singh"}, {"Patel", "patel"},
    {"Okafor", "okafor"}, {"Mensah", "mensah"}, {"O'Brien", "obrien"}, {"Murphy", "murphy"},
    {"van Dijk", "vandijk"}, {"de Vries", "devries"}, {"Jansen", "jansen"}, {"Andersson", "andersson"},
    {"Johansson", "johansson"}, {"Lindqvist", "lindqvist"}, {"Yılmaz", "yilmaz"}, {"Öztürk", "ozturk"},
    {"Ivanova", "ivanova"}, {"Petrov", "petrov"}, {"Silva", "silva"}, {"Santos", "santos"},
    {"Ó Súilleabháin", "osullivan"}, {"Åberg", "aberg"}, {"Håkansson", "hakansson"}, {"Ferreira", "ferreira"},
};
// clang-format on
constexpr std::string_view kFreeMailDomains[] = {"example.com", "example.net", "example.org"};
constexpr std::string_view kJobTitles[] = {
    "CEO",
    "CTO",
    "CFO",
    "Head of Sales",
    "Sales Manager",
    "Account Executive",
    "Procurement Manager",
    "Marketing Director",
    "Marketing Manager",
    "Software Engineer",
    "VP Engineering",
    "Operations Manager",
    "Office Manager",
    "Finance Director",
    "HR Business Partner",
    "Customer Success Manager",
    "Product Manager",
    "Data Analyst",
    "IT Administrator",
    "Purchasing Agent",
    "Managing Director",
    "Head of Customer Support",
    "Project Manager",
    "Legal Counsel",
    "Founder",
    "Chief Revenue Officer",
    "Logistics Coordinator",
    "Research Scientist",
};
constexpr std::string_view kLeadSources[] = {"website", "referral", "webinar",     "trade show", "cold call",
                                             "partner", "linkedin", "advertising", "newsletter", "event"};
constexpr std::string_view kContactTags[] = {"vip",        "newsletter", "beta",      "decision-maker",
                                             "event-2025", "champion",   "technical", "billing-contact",
                                             "churn-risk", "referrer"};
constexpr std::string_view kCompanyTags[] = {"partner",    "key-account", "reseller",
                                             "churn-risk", "prospect",    "enterprise"};
constexpr std::string_view kConsentMethods[] = {"web form", "trade show badge scan", "email reply", "import",
                                                "phone call"};
constexpr std::string_view kPlans[] = {"Starter", "Team", "Business", "Enterprise", "Premium Support"};
constexpr std::string_view kLostReasons[] = {"Price",  "Chose a competitor", "No budget",
                                             "Timing", "No decision",        "Missing feature"};
constexpr std::string_view kDealRoles[] = {"decision_maker",  "champion", "economic_buyer", "influencer",
                                           "technical_buyer", "user",     "blocker",        "other"};
constexpr std::string_view kTaskSubjects[] = {"Send proposal to",      "Follow up with",         "Prepare contract for",
                                              "Book a demo with",      "Check in with",          "Send invoice to",
                                              "Share case study with", "Schedule onboarding for"};
constexpr std::string_view kCallSubjects[] = {"Discovery call", "Follow-up call",     "Pricing discussion",
                                              "Renewal call",   "Support escalation", "Intro call"};
constexpr std::string_view kMeetingSubjects[] = {"Product demo",        "Quarterly business review",
                                                 "Kick-off meeting",    "Contract negotiation",
                                                 "Technical deep dive", "Lunch"};
constexpr std::string_view kEmailSubjects[] = {
    "Re: Your quote",   "Pricing for next year",    "Meeting notes", "Re: Contract draft", "Welcome aboard",
    "Invoice question", "Re: Integration timeline", "Next steps"};
constexpr std::string_view kNoteSubjects[] = {"Call notes", "Budget",       "Org chart",
                                              "Competitor", "Renewal risk", "Buying process"};
constexpr std::string_view kBodies[] = {
    "Spoke about their current setup and the pain points with their spreadsheet process.",
    "They want a proposal by the end of the month; budget is approved for this quarter.",
    "Asked for references from customers in the same industry.",
    "Legal is reviewing the contract draft. Expect comments next week.",
    "Main concern is the migration of historical data. Offered a trial import.",
    "Decision moved to the next quarter because of a reorganisation.",
    "Very positive about the demo. Wants to involve the IT team before deciding.",
    "Compared us with two competitors; price is not the main criterion.",
    "Left a voicemail and sent a short email with the meeting link.",
    "Confirmed the seat count and the start date. Sending the order form.",
};
constexpr std::string_view kCaseSubjects[] = {
    "Cannot log in to the customer portal",
    "Invoice shows the wrong amount",
    "Export to CSV fails with an error",
    "Request to change the billing address",
    "Sync stopped working on one laptop",
    "Password reset email not received",
    "Feature request: dark mode",
    "Data import stuck at 90%",
    "Two-factor codes are rejected",
    "Reports load very slowly",
    "Please add three more seats to our plan",
    "Question about the data processing agreement",
    "Emails from the CRM land in spam",
    "Duplicate contacts after the last import",
};
constexpr std::string_view kCaseDescriptions[] = {
    "The customer reports that the problem started this morning and affects several users.",
    "Screenshots attached. The customer tried another browser with the same result.",
    "Happens only for one account; the others work normally.",
    "The customer needs this resolved before their month-end close.",
    "Reported by phone; waiting for the customer to send the exact error message.",
};
constexpr std::string_view kQueues[] = {"Support", "Billing", "Technical", "Onboarding"};

std::string lower_ascii(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c >= 'A' && c <= 'Z')
            out += static_cast<char>(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out += c;
        else if ((c == ' ' || c == '-') && !out.empty() && out.back() != '-')
            out += '-';
    }
    return out;
}

// The non-empty choices of a registry field, so the generator never drifts from the registry.
std::vector<std::string> choices_of(std::string_view type, std::string_view field) {
    std::vector<std::string> out;
    if (const RecordSpec* spec = find_record_spec(type))
        if (const FieldSpec* f = find_field(*spec, field))
            for (const auto& c : f->choices)
                if (!c.empty()) out.push_back(c);
    return out;
}

std::string date_of(int64_t ms) {
    const int64_t days = ms >= 0 ? ms / kDayMs : (ms - kDayMs + 1) / kDayMs;
    return civil_from_days(days).to_string();
}

// ---- what later stages link to -----------------------------------------------------------------

struct CompanyInfo {
    std::string id, short_name, domain;
    size_t country = 0;
    size_t owner = 0;
    std::vector<int32_t> contacts, deals;
};
struct ContactInfo {
    std::string id, first_name, name, email;
    int32_t company = -1;
};
struct StageInfo {
    std::string id, outcome;
    int64_t probability = 0;
};

class Generator {
public:
    Generator(LocalStore& store, const GeneratorSpec& spec, const GeneratorProgress& progress, int64_t start_ms)
        : store_(store), spec_(spec), progress_(progress), rng_(spec.seed, 1), now_(spec.now_ms), clock_ms_(start_ms) {}

    Status run() {
        if (spec_.deals > 0)
            if (auto s = load_stages(); !s) return s;
        if (auto s = stage("companies", spec_.companies, &Generator::company); !s) return s;
        if (auto s = stage("contacts", spec_.contacts, &Generator::contact); !s) return s;
        if (auto s = stage("deals", spec_.deals, &Generator::deal); !s) return s;
        if (auto s = stage("cases", spec_.cases, &Generator::kase); !s) return s;
        if (auto s = stage("leads", spec_.leads, &Generator::lead); !s) return s;
        return stage("activities", spec_.activities, &Generator::activity);
    }

private:
    using Make = Status (Generator::*)(Edit&, int64_t);

    // Writes `total` records of one kind in Edits of about kChunkRecords records each (a deal
    // writes up to three). Each Edit is stamped at the time the previous ones reached, one
    // millisecond per record, so clocks keep increasing from chunk to chunk.
    Status stage(std::string_view name, int64_t total, Make make) {
        for (int64_t done = 0; done < total;) {
            Edit edit(store_, clock_ms_);
            if (!edit.begun()) return edit.begun().error();
            written_ = 0;
            for (; done < total && written_ < kChunkRecords; ++done)
                if (auto s = (this->*make)(edit, done); !s)
                    return Error{s.error().field, "generating " + std::string(name) + " " + std::to_string(done + 1) +
                                                      ": " + s.error().message};
            if (auto s = edit.commit(); !s) return s;
            clock_ms_ += written_;
            if (progress_) progress_(name, done, total);
        }
        return ok();
    }

    Result<std::string> create(Edit& edit, std::string_view type, const json& values) {
        auto id = edit.create(type, values);
        if (id) written_ += type == "deal" ? 2 : 1;  // a deal also records its first stage
        return id;
    }

    Status load_stages() {
        auto pipeline = store_.default_pipeline_id();
        if (!pipeline) return Error{"deals", "cannot generate deals: " + pipeline.error().message};
        pipeline_id_ = *pipeline;
        Query q;
        q.filter.conditions.push_back({"pipeline_id", Op::Eq, pipeline_id_});
        q.sort = {{"position"}};
        q.limit = kMaxPageSize;
        auto stages = store_.list("stage", q);
        if (!stages) return stages.error();
        for (const auto& row : stages->rows) {
            StageInfo s{row["id"].get<std::string>(),
                        row["outcome"].is_string() ? row["outcome"].get<std::string>() : "open"};
            s.probability = row["probability"].is_number_integer() ? row["probability"].get<int64_t>() : 0;
            (s.outcome == "won" ? won_ : s.outcome == "lost" ? lost_ : open_).push_back(std::move(s));
        }
        if (open_.empty()) return Error{"deals", "cannot generate deals: the default pipeline has no open stage"};
        return ok();
    }

    json tags(const std::string_view* list, size_t size, int chance, int max) {
        json out = json::array();
        if (!rng_.percent(chance)) return out;
        const int64_t n = rng_.between(1, max);
        for (int64_t k = 0; k < n; ++k) {
            std::string tag(list[rng_.below(static_cast<int64_t>(size))]);
            if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
        }
        return out;
    }

    json address(const Country& c) {
        const size_t city = static_cast<size_t>(rng_.below(static_cast<int64_t>(c.cities.size())));
        const std::string number = std::to_string(rng_.between(1, 240));
        const std::string street(rng_.pick(c.streets));
        json a = {{"street", c.number_first ? number + " " + street : street + " " + number},
                  {"city", c.cities[city]},
                  {"postal_code", rng_.fill(c.postal)},
                  {"country", c.code}};
        if (!c.regions[city].empty()) a["region"] = c.regions[city];
        return a;
    }

    // ---- one record of each kind ---------------------------------------------------------------

    Status company(Edit& edit, int64_t i) {
        const size_t ci = rng_.weighted(kCountryWeights);
        const Country& c = countries()[ci];
        // The shapes real registers are full of; the ASCII twin of each name becomes the domain.
        static constexpr std::string_view kGroupWords[] = {"Group", "Holdings", "International", "Ventures"};
        const std::string core(rng_.pick(kCompanyCores));
        std::string short_name, ascii;
        switch (rng_.weighted({55, 25, 10, 10})) {
            case 0:
                short_name = ascii = std::string(rng_.pick(kCompanyWords)) + " " + core;
                break;
            case 1: {
                const Name& family = rng_.pick(kLastNames);
                short_name = std::string(family.shown) + " " + core;
                ascii = std::string(family.ascii) + " " + core;
                break;
            }
            case 2: {
                const Name& a = rng_.pick(kLastNames);
                const Name& b = rng_.pick(kLastNames);
                short_name = std::string(a.shown) + " & " + std::string(b.shown);
                ascii = std::string(a.ascii) + " " + std::string(b.ascii);
                break;
            }
            default: {
                const std::string word(rng_.pick(kCompanyWords));
                short_name = ascii = word + " " + core + " " + std::string(rng_.pick(kGroupWords));
                break;
            }
        }
        std::string domain = lower_ascii(ascii);
        std::string name = short_name + " " + std::string(rng_.pick(c.legal_forms));
        if (!company_names_.insert(name).second) {
            // Same words, same country: real registers tell such firms apart by place.
            short_name += " " + std::string(rng_.pick(c.cities));
            name = short_name + " " + std::string(rng_.pick(c.legal_forms));
            company_names_.insert(name);
        }
        if (!domains_.insert(domain + "." + std::string(c.tld)).second) {
            domain += "-" + std::to_string(i + 1);
            domains_.insert(domain + "." + std::string(c.tld));
        }
        domain += "." + std::string(c.tld);

        static constexpr std::string_view kSizes[] = {"1-10", "11-50", "51-200", "201-1000", "1001-5000", "5001+"};
        static constexpr int64_t kEmployees[] = {10, 50, 200, 1000, 5000, 20000};
        const size_t size = rng_.weighted({25, 30, 22, 13, 7, 3});
        const int64_t employees = rng_.between(size == 0 ? 1 : kEmployees[size - 1] + 1, kEmployees[size]);
        const int64_t revenue = employees * rng_.between(80, 260) * 1000 * c.revenue_scale / 10000 * 10000;
        const size_t owner = static_cast<size_t>(rng_.below(std::size(kOwners)));

        json v = {{"name", name},
                  {"domain", domain},
                  {"industry", rng_.pick(kIndustries)},
                  {"size", kSizes[size]},
                  {"annual_revenue", static_cast<double>(revenue)},
                  {"currency", c.currency},
                  {"address", address(c)},
                  {"owner", kOwners[owner]},
                  {"tags", tags(kCompanyTags, std::size(kCompanyTags), 20, 2)}};
        // Parents are always earlier companies, so a hierarchy can never loop.
        if (i > 0 && rng_.percent(10)) v["parent_id"] = companies_[static_cast<size_t>(rng_.below(i))].id;
        auto id = create(edit, "company", v);
        if (!id) return id.error();
        companies_.push_back({*id, short_name, domain, ci, owner, {}, {}});
        return ok();
    }

    std::string phone(const Country& c) {
        std::string p = rng_.fill(c.phone);
        if (rng_.percent(5)) p += " x" + std::to_string(rng_.between(10, 4999));
        return p;
    }

    Status contact(Edit& edit, int64_t i) {
        const Name& first = rng_.pick(kFirstNames);
        const Name& last = rng_.pick(kLastNames);
        int32_t company = -1;
        if (!companies_.empty() && rng_.percent(80))
            company = static_cast<int32_t>(rng_.below(static_cast<int64_t>(companies_.size())));
        const CompanyInfo* co = company >= 0 ? &companies_[static_cast<size_t>(company)] : nullptr;
        const Country& country = co ? countries()[co->country] : countries()[rng_.weighted(kCountryWeights)];

        const std::string domain = co ? co->domain : std::string(rng_.pick(kFreeMailDomains));
        std::string local;
        switch (rng_.weighted({60, 25, 15})) {
            case 0:
                local = std::string(first.ascii) + "." + std::string(last.ascii);
                break;
            case 1:
                local = std::string(first.ascii.substr(0, 1)) + std::string(last.ascii);
                break;
            default:
                local = std::string(first.ascii) + std::string(last.ascii.substr(0, 1));
                break;
        }
        std::string email = local + "@" + domain;
        // The contact number makes a taken address unique: base addresses have no digits.
        if (!emails_.insert(email).second) {
            email = local + std::to_string(i + 1) + "@" + domain;
            emails_.insert(email);
        }

        const std::string name = std::string(first.shown) + " " + std::string(last.shown);
        const size_t owner = co && rng_.percent(70) ? co->owner : static_cast<size_t>(rng_.below(std::size(kOwners)));
        json v = {{"name", name},
                  {"first_name", first.shown},
                  {"last_name", last.shown},
                  {"email", email},
                  {"job_title", rng_.pick(kJobTitles)},
                  {"company_id", co ? co->id : std::string()},
                  {"lifecycle_stage", rng_.pick(lifecycle_stages_)},
                  {"lead_source", rng_.pick(kLeadSources)},
                  {"owner", kOwners[owner]},
                  {"tags", tags(kContactTags, std::size(kContactTags), 35, 3)}};
        if (rng_.percent(85)) v["phone"] = phone(country);
        if (rng_.percent(15))
            v["other_phones"] = json::array({{{"value", rng_.fill(country.phone)}, {"label", "mobile"}}});
        if (rng_.percent(60)) v["lead_status"] = rng_.pick(lead_statuses_);
        if (!co && rng_.percent(40)) v["address"] = address(country);
        if (rng_.percent(30)) {
            static constexpr std::string_view kConsent[] = {"opted_in", "opted_in", "opted_out", "unknown"};
            const int64_t days_ago = rng_.between(1, 700);
            const int64_t at = now_ - days_ago * kDayMs - rng_.below(kDayMs);
            v["consent_email"] = {{"status", rng_.pick(kConsent)}, {"at", at}, {"method", rng_.pick(kConsentMethods)}};
        }
        if (rng_.percent(2)) v["do_not_contact"] = true;
        auto id = create(edit, "contact", v);
        if (!id) return id.error();
        if (co) companies_[static_cast<size_t>(company)].contacts.push_back(static_cast<int32_t>(contacts_.size()));
        contacts_.push_back({*id, std::string(first.shown), name, email, company});
        return ok();
    }

    Status deal(Edit& edit, int64_t) {
        int32_t company = -1;
        if (!companies_.empty() && rng_.percent(90))
            company = static_cast<int32_t>(rng_.below(static_cast<int64_t>(companies_.size())));
        const CompanyInfo* co = company >= 0 ? &companies_[static_cast<size_t>(company)] : nullptr;
        const Country& country = co ? countries()[co->country] : countries()[0];

        const std::string_view plan = rng_.pick(kPlans);
        const int64_t seats = rng_.weighted({40, 30, 20, 10}) == 0 ? rng_.between(3, 20) : rng_.between(20, 500);
        std::string what;
        switch (rng_.weighted({45, 20, 15, 10, 10})) {
            case 0:
                what = std::to_string(seats) + " seats, " + std::string(plan) + " plan";
                break;
            case 1:
                what = std::string(plan) + " plan renewal";
                break;
            case 2:
                what = "Onboarding package";
                break;
            case 3:
                what = "Data migration project";
                break;
            default:
                what = "Expansion to " + std::string(rng_.pick(country.cities));
                break;
        }
        const std::string name = co ? co->short_name + ": " + what : what;
        const int64_t amount = seats * rng_.between(8, 120) * 12 * country.revenue_scale / 100 * 100 + 500;

        const int64_t close_ms = now_ + rng_.between(-120, 180) * kDayMs;
        const StageInfo* stage = &rng_.pick(open_);
        if (close_ms < now_ && rng_.percent(70)) {
            const bool won = rng_.percent(45);
            if (won && !won_.empty())
                stage = &rng_.pick(won_);
            else if (!won && !lost_.empty())
                stage = &rng_.pick(lost_);
        }
        json v = {{"name", name},
                  {"amount", static_cast<double>(amount)},
                  {"currency", country.currency},
                  {"close_date", date_of(close_ms)},
                  {"pipeline_id", pipeline_id_},
                  {"stage_id", stage->id},
                  {"status", stage->outcome},
                  {"company_id", co ? co->id : std::string()},
                  {"owner", co && rng_.percent(70) ? kOwners[co->owner] : rng_.pick(kOwners)}};
        if (stage->outcome == "won") {
            v["forecast_category"] = "closed";
        } else if (stage->outcome == "lost") {
            v["forecast_category"] = "omitted";
            v["close_reason"] = rng_.pick(kLostReasons);
        } else {
            v["forecast_category"] = stage->probability >= 75   ? "commit"
                                     : stage->probability >= 50 ? "best_case"
                                                                : "pipeline";
        }
        if (stage->outcome != "open") v["closed_at"] = std::min(now_, close_ms + rng_.between(-5, 5) * kDayMs);
        if (rng_.percent(10)) v["tags"] = json::array({rng_.percent(50) ? "upsell" : "strategic"});
        auto id = create(edit, "deal", v);
        if (!id) return id.error();

        // Most deals name a person: someone at the company when it has contacts.
        int32_t person = -1;
        if (co && !co->contacts.empty())
            person = rng_.pick(co->contacts);
        else if (!co && !contacts_.empty())
            person = static_cast<int32_t>(rng_.below(static_cast<int64_t>(contacts_.size())));
        if (person >= 0 && rng_.percent(85)) {
            auto link = create(edit, "deal_contact",
                               {{"deal_id", *id},
                                {"contact_id", contacts_[static_cast<size_t>(person)].id},
                                {"role", rng_.pick(kDealRoles)}});
            if (!link) return link.error();
        }
        if (co) companies_[static_cast<size_t>(company)].deals.push_back(static_cast<int32_t>(deals_.size()));
        deals_.push_back(*id);
        return ok();
    }

    Status kase(Edit& edit, int64_t) {
        int32_t person = -1;
        if (!contacts_.empty() && rng_.percent(90))
            person = static_cast<int32_t>(rng_.below(static_cast<int64_t>(contacts_.size())));
        const ContactInfo* who = person >= 0 ? &contacts_[static_cast<size_t>(person)] : nullptr;
        std::string company =
            who && who->company >= 0 ? companies_[static_cast<size_t>(who->company)].id : std::string();
        if (!who && !companies_.empty() && rng_.percent(50))
            company = companies_[static_cast<size_t>(rng_.below(static_cast<int64_t>(companies_.size())))].id;

        static constexpr std::string_view kPriorities[] = {"low", "normal", "high", "urgent"};
        static constexpr std::string_view kStatuses[] = {"new", "open", "pending", "on_hold", "solved", "closed"};
        const std::string_view status = kStatuses[rng_.weighted({10, 25, 10, 5, 30, 20})];
        const int64_t opened = now_ - rng_.between(0, 120 * 24 * 60) * kMinuteMs;
        json v = {{"subject", rng_.pick(kCaseSubjects)},
                  {"description", rng_.pick(kCaseDescriptions)},
                  {"status", status},
                  {"priority", kPriorities[rng_.weighted({25, 50, 18, 7})]},
                  {"channel", rng_.pick(case_channels_)},
                  {"queue", rng_.pick(kQueues)},
                  {"contact_id", who ? who->id : std::string()},
                  {"company_id", company},
                  {"opened_at", opened},
                  {"owner", rng_.pick(kOwners)}};
        if (status != "new") {
            const int64_t responded = std::min(now_, opened + rng_.between(5, 48 * 60) * kMinuteMs);
            v["first_response_at"] = responded;
            if (status == "solved" || status == "closed")
                v["resolved_at"] = std::min(now_, responded + rng_.between(1, 240) * kHourMs);
        }
        auto id = create(edit, "case", v);
        if (!id) return id.error();
        cases_.push_back({*id, person});
        return ok();
    }

    Status lead(Edit& edit, int64_t i) {
        const Name& first = rng_.pick(kFirstNames);
        const Name& last = rng_.pick(kLastNames);
        const std::string word(rng_.pick(kCompanyWords));
        const std::string company = word + " " + std::string(rng_.pick(kCompanyCores));
        const bool has_company = rng_.percent(85);
        json v = {
            {"name", std::string(first.shown) + " " + std::string(last.shown)},
            {"company_name", has_company ? company + " " + std::string(rng_.pick(countries()[0].legal_forms)) : ""},
            {"job_title", rng_.pick(kJobTitles)},
            {"lead_source", rng_.pick(kLeadSources)},
            {"status", rng_.pick(lead_states_)},
            {"owner", rng_.pick(kOwners)}};
        if (rng_.percent(90)) {
            const std::string domain = has_company && rng_.percent(70) ? lower_ascii(company) + ".com"
                                                                       : std::string(rng_.pick(kFreeMailDomains));
            v["email"] =
                std::string(first.ascii) + "." + std::string(last.ascii) + "." + std::to_string(i + 1) + "@" + domain;
        }
        if (rng_.percent(50)) v["phone"] = phone(countries()[rng_.weighted(kCountryWeights)]);
        if (rng_.percent(20)) v["tags"] = json::array({rng_.percent(50) ? "hot" : "event-2025"});
        auto id = create(edit, "lead", v);
        if (!id) return id.error();
        leads_.push_back(*id);
        return ok();
    }

    Status activity(Edit& edit, int64_t) {
        static constexpr std::string_view kKinds[] = {"task", "call", "meeting", "email", "note"};
        const std::string_view kind = kKinds[rng_.weighted({30, 25, 15, 20, 10})];
        json v = {{"kind", kind}, {"owner", rng_.pick(kOwners)}};

        // Who it is about: usually a contact (and its company, often one of its deals), sometimes
        // a support case, sometimes a lead not yet converted.
        const ContactInfo* who = nullptr;
        const size_t target = rng_.weighted({87, cases_.empty() ? 0 : 8, leads_.empty() ? 0 : 5});
        if (target == 1) {
            const auto& [case_id, person] = rng_.pick(cases_);
            v["case_id"] = case_id;
            if (person >= 0) who = &contacts_[static_cast<size_t>(person)];
        } else if (target == 2) {
            v["lead_id"] = rng_.pick(leads_);
        } else if (!contacts_.empty()) {
            who = &contacts_[static_cast<size_t>(rng_.below(static_cast<int64_t>(contacts_.size())))];
        } else if (!companies_.empty()) {
            v["company_id"] = rng_.pick(companies_).id;
        }
        std::string about = "the team";
        if (who) {
            v["contact_id"] = who->id;
            about = who->name;
            if (who->company >= 0) {
                const CompanyInfo& co = companies_[static_cast<size_t>(who->company)];
                if (rng_.percent(80)) v["company_id"] = co.id;
                if (!co.deals.empty() && target == 0 && rng_.percent(40))
                    v["deal_id"] = deals_[static_cast<size_t>(rng_.pick(co.deals))];
            }
        }

        // Times on a quarter-hour grid, from a month ago to a month ahead.
        const int64_t grid = now_ / (15 * kMinuteMs) * (15 * kMinuteMs);
        const int64_t when = grid + rng_.between(-30 * 96, 30 * 96) * 15 * kMinuteMs;
        const int64_t past = when <= grid ? when : 2 * grid - when;  // calls and emails have happened
        if (kind == "task") {
            v["subject"] = std::string(rng_.pick(kTaskSubjects)) + " " + about;
            v["due_at"] = when;
            v["priority"] = rng_.pick(activity_priorities_);
            if (when < now_ ? rng_.percent(70) : rng_.percent(10)) {
                v["done"] = true;
                v["done_at"] = std::min(now_, when + rng_.between(-48, 24) * kHourMs);
            }
        } else if (kind == "call") {
            static constexpr std::string_view kDispositions[] = {"connected", "left_voicemail", "no_answer", "busy",
                                                                 "wrong_number"};
            const std::string_view disposition = kDispositions[rng_.weighted({60, 20, 12, 5, 3})];
            v["subject"] = rng_.pick(kCallSubjects);
            v["direction"] = rng_.percent(65) ? "outbound" : "inbound";
            v["disposition"] = disposition;
            v["duration_seconds"] = disposition == "connected" ? rng_.between(60, 3600) : rng_.between(0, 40);
            v["starts_at"] = past;
            if (disposition == "connected" && rng_.percent(60)) v["body"] = rng_.pick(kBodies);
        } else if (kind == "meeting") {
            v["subject"] = rng_.pick(kMeetingSubjects);
            v["starts_at"] = when;
            v["ends_at"] = when + rng_.between(1, 6) * 15 * kMinuteMs;
            json attendees = json::array();
            if (who) attendees.push_back(who->email);
            attendees.push_back(std::string(v["owner"].get<std::string>()) + "@crm.example");
            v["attendees"] = std::move(attendees);
            if (rng_.percent(40)) v["body"] = rng_.pick(kBodies);
        } else if (kind == "email") {
            v["subject"] = rng_.pick(kEmailSubjects);
            v["direction"] = rng_.percent(50) ? "outbound" : "inbound";
            v["body"] = std::string(who ? "Hi " + who->first_name + ",\n\n" : "Hello,\n\n") +
                        std::string(rng_.pick(kBodies)) + "\n\nBest regards";
            v["starts_at"] = past;
        } else {
            v["subject"] = rng_.pick(kNoteSubjects);
            v["body"] = rng_.pick(kBodies);
        }
        if (rng_.percent(5)) v["tags"] = json::array({"follow-up"});
        auto id = create(edit, "activity", v);
        if (!id) return id.error();
        return ok();
    }

    LocalStore& store_;
    const GeneratorSpec& spec_;
    const GeneratorProgress& progress_;
    Rng rng_;
    const int64_t now_;    // the spec's "now": record dates are spread around it
    int64_t clock_ms_;     // the time the next chunk is stamped with
    int64_t written_ = 0;  // records written in the current chunk

    const std::vector<std::string> lifecycle_stages_ = choices_of("contact", "lifecycle_stage");
    const std::vector<std::string> lead_statuses_ = choices_of("contact", "lead_status");
    const std::vector<std::string> case_channels_ = choices_of("case", "channel");
    const std::vector<std::string> activity_priorities_ = choices_of("activity", "priority");
    // A generated lead is never "converted": that status belongs to convert_lead, with its links.
    const std::vector<std::string> lead_states_ = [] {
        auto all = choices_of("lead", "status");
        all.erase(std::remove(all.begin(), all.end(), "converted"), all.end());
        return all;
    }();

    std::string pipeline_id_;
    std::vector<StageInfo> open_, won_, lost_;
    std::vector<CompanyInfo> companies_;
    std::vector<ContactInfo> contacts_;
    std::vector<std::string> deals_, leads_;
    std::vector<std::pair<std::string, int32_t>> cases_;  // id, contact index or -1
    std::unordered_set<std::string> company_names_, domains_, emails_;
};

// Sets the store's id source for the generator's lifetime and restores random ids afterwards,
// whatever way generate() returns.
struct IdSourceScope {
    LocalStore& store;
    IdSourceScope(LocalStore& s, Rng& ids) : store(s) {
        store.set_id_source([&ids] { return ids.id(); });
    }
    ~IdSourceScope() { store.set_id_source({}); }
};

}  // namespace

Status generate(LocalStore& store, const GeneratorSpec& spec, const GeneratorProgress& progress) {
    for (auto [field, count] : {std::pair{"companies", spec.companies},
                                {"contacts", spec.contacts},
                                {"deals", spec.deals},
                                {"activities", spec.activities},
                                {"cases", spec.cases},
                                {"leads", spec.leads}})
        if (count < 0) return Error{field, "cannot be negative, got " + std::to_string(count)};
    if (spec.now_ms < 0)
        return Error{"now_ms", "must be a time in milliseconds since 1970, got " + std::to_string(spec.now_ms)};

    // Ids come from their own stream, so the first one can be checked before anything is written:
    // the same seed run twice on one database would otherwise overwrite its own records.
    Rng ids(spec.seed, 0);
    {
        const std::string first = Rng(ids).id();
        for (const auto& record : record_specs()) {
            auto st = store.db().prepare("SELECT 1 FROM " + record.table + " WHERE id = ?1");
            if (!st) return st.error();
            auto row = st->bind(1, first).step();
            if (!row) return row.error();
            if (*row)
                return Error{"seed", "this database already holds the records of seed " + std::to_string(spec.seed) +
                                         "; use another seed or a new database"};
        }
    }

    // Stamps start at spec.now_ms, or just after the store's clock when that is later (a database
    // already in use), so every new stamp orders after the existing ones.
    int64_t start = spec.now_ms;
    {
        auto st = store.db().prepare("SELECT value FROM meta WHERE key = 'clock'");
        if (!st) return st.error();
        auto row = st->step();
        if (!row) return row.error();
        if (*row)
            if (auto h = Hlc::decode(st->text(0)); h && h->wall_ms >= start) start = h->wall_ms + 1;
    }

    IdSourceScope scope(store, ids);
    Generator generator(store, spec, progress, start);
    return generator.run();
}

}  // namespace crm
