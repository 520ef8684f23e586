#include "router/refconfig/ini.hpp"

#include <algorithm>

namespace rns::refconfig {

namespace {

std::string_view trim(std::string_view s) noexcept {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

/// Splits a value into comma-separated items; quotes protect commas and '#'. Returns false on an
/// unterminated quote. The comment after the value (outside quotes) is cut off.
bool split_value(std::string_view raw, std::string& text, std::vector<std::string>& items) {
    std::string cur;
    bool quoted_item = false;
    char quote = 0;
    bool any_comma = false;
    std::size_t i = 0;
    auto flush = [&] {
        std::string v = quoted_item ? cur : std::string(trim(cur));
        items.push_back(std::move(v));
        cur.clear();
        quoted_item = false;
    };
    for (; i < raw.size(); ++i) {
        const char c = raw[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else {
                cur += c;
            }
            continue;
        }
        if (c == '#') {
            break;
        }
        if (c == '"' || c == '\'') {
            if (!trim(cur).empty()) {
                cur += c; // a quote inside a bare word is an ordinary character
                continue;
            }
            cur.clear();
            quote = c;
            quoted_item = true;
            continue;
        }
        if (c == ',') {
            any_comma = true;
            flush();
            continue;
        }
        if (quoted_item && c != ' ' && c != '\t' && c != '\r') {
            return false; // text after a closing quote
        }
        if (!quoted_item) {
            cur += c;
        }
    }
    if (quote != 0) {
        return false;
    }
    flush();
    // "a, b," is a list of two; a lone "," is an empty list.
    if (any_comma && !items.empty() && items.back().empty()) {
        items.pop_back();
    }
    text.clear();
    for (std::size_t k = 0; k < items.size(); ++k) {
        text += (k == 0 ? "" : ", ") + items[k];
    }
    return true;
}

} // namespace

const ini_value* ini_section::find(std::string_view key) const noexcept {
    const auto it = std::find_if(values.begin(), values.end(),
                                 [&](const ini_value& v) { return v.key == key; });
    return it == values.end() ? nullptr : &*it;
}

const ini_section* ini_section::section(std::string_view n) const noexcept {
    const auto it = std::find_if(sections.begin(), sections.end(),
                                 [&](const ini_section& s) { return s.name == n; });
    return it == sections.end() ? nullptr : &*it;
}

ini_result parse_ini(std::string_view text) {
    ini_result r;
    r.root.depth = 0;
    std::vector<ini_section*> stack{&r.root}; // stack[d] is the open section of depth d
    int line_no = 0;
    auto fail = [&](std::string message) {
        r.error = ini_error{line_no, std::move(message)};
        return r;
    };
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty() || line.front() == '#') {
            if (end == text.size()) {
                break;
            }
            continue;
        }
        if (line.front() == '[') {
            std::size_t open = 0;
            while (open < line.size() && line[open] == '[') {
                ++open;
            }
            std::string_view rest = line.substr(open);
            const std::size_t close_at = rest.find(']');
            if (close_at == std::string_view::npos) {
                return fail("section header without closing ']'");
            }
            const std::string_view name = trim(rest.substr(0, close_at));
            std::size_t close = 0;
            while (close_at + close < rest.size() && rest[close_at + close] == ']') {
                ++close;
            }
            const std::string_view tail = trim(rest.substr(close_at + close));
            if (close != open) {
                return fail("section header with " + std::to_string(open) + " '[' but " +
                            std::to_string(close) + " ']'");
            }
            if (!tail.empty() && tail.front() != '#') {
                return fail("text after the section header");
            }
            if (name.empty()) {
                return fail("section header without a name");
            }
            const int depth = static_cast<int>(open);
            if (depth > static_cast<int>(stack.size())) {
                return fail("section [" + std::string(name) + "] is nested " + std::to_string(depth) +
                            " deep without a parent section");
            }
            stack.resize(static_cast<std::size_t>(depth));
            ini_section* parent = stack.back();
            if (parent->section(name) != nullptr) {
                return fail("section '" + std::string(name) + "' appears twice");
            }
            parent->sections.push_back(ini_section{std::string(name), line_no, depth, {}, {}});
            stack.push_back(&parent->sections.back());
            continue;
        }
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            return fail("expected 'key = value', '[section]' or a comment");
        }
        const std::string_view key = trim(line.substr(0, eq));
        if (key.empty()) {
            return fail("a value without a key");
        }
        ini_section* cur = stack.back();
        if (cur->find(key) != nullptr) {
            return fail("key '" + std::string(key) + "' appears twice in this section");
        }
        ini_value v;
        v.key = std::string(key);
        v.line = line_no;
        if (!split_value(line.substr(eq + 1), v.value, v.items)) {
            return fail("unterminated or misplaced quote in the value of '" + v.key + "'");
        }
        cur->values.push_back(std::move(v));
        if (end == text.size()) {
            break;
        }
    }
    return r;
}

} // namespace rns::refconfig
