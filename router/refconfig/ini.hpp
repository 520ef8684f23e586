#pragma once
// The syntax of the reference's configuration file (`~/.reticulum/config`, read by the reference
// with ConfigObj): `[section]`, nested `[[subsection]]` (one more bracket per level),
// `key = value` lines, `#` comments (whole-line or after a value outside quotes), values optionally
// in single or double quotes, a comma-separated unquoted value read as a list. Indentation means
// nothing. A key or a section named twice at the same level is an error, as in ConfigObj.
//
// This file only gives the tree with line numbers; reference_config.hpp gives the keys meaning.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rns::refconfig {

struct ini_value {
    std::string key;
    std::string value;               ///< unquoted text; for a list, the text as written
    std::vector<std::string> items;  ///< the comma-separated items (one item for a plain value)
    int line = 0;
};

struct ini_section {
    std::string name;
    int line = 0;
    int depth = 1; ///< number of brackets: [a] is 1, [[b]] is 2
    std::vector<ini_value> values;
    std::vector<ini_section> sections;

    [[nodiscard]] const ini_value* find(std::string_view key) const noexcept;
    [[nodiscard]] const ini_section* section(std::string_view name) const noexcept;
};

/// A syntax error: where, and what is wrong.
struct ini_error {
    int line = 0;
    std::string message;
};

/// The parse result: the root holds the top-level values (before any section) and the sections.
struct ini_result {
    ini_section root;
    std::optional<ini_error> error;
};

/// Parses the whole text. Never throws for bad input: the first error is returned with its line.
[[nodiscard]] ini_result parse_ini(std::string_view text);

} // namespace rns::refconfig
