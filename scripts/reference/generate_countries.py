#!/usr/bin/env python3
"""Print Sources/Shared/Reference/Countries.swift from pycountry's ISO 3166-1 data.

Usage (pycountry in a throwaway venv):

    python3 -m venv /tmp/pyc && /tmp/pyc/bin/pip install pycountry
    /tmp/pyc/bin/python scripts/reference/generate_countries.py \
        --upr-info ../shared/data/upr-info-2015 > Sources/Shared/Reference/Countries.swift

With --upr-info DIR the script also reads every *.csv in DIR (UPR Info's database export:
old-Mac CR line endings, Mac Roman text, columns To,To-Rgrp,To-Org,Text,From,...), prints
to stderr the distinct To/From names that pycountry alone does not match, and fails if a
name that is a state stays unmatched after the aliases below.
"""

import argparse
import csv
import glob
import io
import os
import sys

import pycountry

# Names used by UN documents and by UPR Info that ISO 3166-1 (as pycountry spells it: short
# name, common name, official name) does not use. Keys are lowercased; values are alpha-3.
ALIASES = {
    # Spellings in UPR Info's 2015 export (sessions 1-13).
    "antigua & barbuda": "ATG",
    "bosnia & herzegovina": "BIH",
    "cape verde": "CPV",
    "cote d'ivoire": "CIV",
    "dpr korea": "PRK",
    "democratic republic of congo": "COD",
    "guinea bissau": "GNB",
    "holy see": "VAT",
    "macedonia fyr": "MKD",
    "micronesia": "FSM",
    "palestine": "PSE",
    "republic of congo": "COG",
    "republic of korea": "KOR",
    "sao tome & principe": "STP",
    "st kitts & nevis": "KNA",
    "st lucia": "LCA",
    "st vincent & the grenadines": "VCT",
    "swaziland": "SWZ",
    "trinidad & tobago": "TTO",
    "turkey": "TUR",
    # UN member-state names (as in UN documents) and other common forms.
    "bolivia (plurinational state of)": "BOL",
    "cabo verde": "CPV",
    "côte d'ivoire": "CIV",
    "ivory coast": "CIV",
    "democratic republic of the congo": "COD",
    "dr congo": "COD",
    "congo, democratic republic of the": "COD",
    "republic of the congo": "COG",
    "iran (islamic republic of)": "IRN",
    "syria": "SYR",
    "united kingdom of great britain and northern ireland": "GBR",
    "uk": "GBR",
    "great britain": "GBR",
    "united states of america": "USA",
    "usa": "USA",
    "vatican": "VAT",
    "vatican city": "VAT",
    "state of palestine": "PSE",
    "occupied palestinian territory": "PSE",
    "korea, republic of": "KOR",
    "south korea": "KOR",
    "democratic people's republic of korea": "PRK",
    "dprk": "PRK",
    "north korea": "PRK",
    "venezuela (bolivarian republic of)": "VEN",
    "viet nam": "VNM",
    "vietnam": "VNM",
    "russian federation": "RUS",
    "russia": "RUS",
    "republic of moldova": "MDA",
    "moldova": "MDA",
    "united republic of tanzania": "TZA",
    "tanzania": "TZA",
    "lao pdr": "LAO",
    "laos": "LAO",
    "micronesia (federated states of)": "FSM",
    "macedonia": "MKD",
    "the former yugoslav republic of macedonia": "MKD",
    "former yugoslav republic of macedonia": "MKD",
    "fyr macedonia": "MKD",
    "eswatini": "SWZ",
    "kingdom of eswatini": "SWZ",
    "türkiye": "TUR",
    "turkiye": "TUR",
    "czech republic": "CZE",
    "guinea-bissau": "GNB",
    "sao tome and principe": "STP",
    "são tomé and príncipe": "STP",
    "saint kitts and nevis": "KNA",
    "st. kitts and nevis": "KNA",
    "saint lucia": "LCA",
    "st. lucia": "LCA",
    "saint vincent and the grenadines": "VCT",
    "st. vincent and the grenadines": "VCT",
    "antigua and barbuda": "ATG",
    "bosnia and herzegovina": "BIH",
    "trinidad and tobago": "TTO",
    "brunei": "BRN",
    "east timor": "TLS",
    "timor leste": "TLS",
    "burma": "MMR",
    "the gambia": "GMB",
    "gambia (republic of the)": "GMB",
    "the bahamas": "BHS",
    "netherlands (kingdom of the)": "NLD",
    "the netherlands": "NLD",
    "kyrgyz republic": "KGZ",
    "slovak republic": "SVK",
    "curacao": "CUW",
}

# Values of the From column that are not states: they are reported, never mapped.
NOT_STATES = {"&#40;Unknown&#41;", "(Unknown)"}


def normalised(name):
    """The matching key: whitespace trimmed and collapsed, lowercased, curly apostrophes straight.

    Countries.swift applies the same rule at run time.
    """
    return " ".join(name.split()).lower().replace("\u2019", "'")


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build():
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)
    codes = {c.alpha_3 for c in countries}
    index = {}  # normalised name -> alpha-3, for collision checks

    def claim(name, code, origin):
        key = normalised(name)
        if key in index and index[key] != code:
            sys.exit(f"error: {origin} name {name!r} maps to {code} and to {index[key]}")
        fresh = key not in index
        index[key] = code
        return fresh

    for c in countries:
        claim(c.name, c.alpha_3, "ISO short")
    other_names = []  # (name, alpha-3) in alpha-3 order, not already matched
    for c in countries:
        for attribute in ("common_name", "official_name"):
            value = getattr(c, attribute, None)
            if value and claim(value, c.alpha_3, attribute):
                other_names.append((value, c.alpha_3))
    iso_index = dict(index)
    aliases = []
    redundant = []
    for key, code in ALIASES.items():
        if code not in codes:
            sys.exit(f"error: alias {key!r} names unknown code {code}")
        if normalised(key) != key:
            sys.exit(f"error: alias key {key!r} is not normalised")
        if claim(key, code, "alias"):
            aliases.append((key, code))
        else:
            redundant.append(key)
    if redundant:
        print("aliases already matched by pycountry, left out: " + ", ".join(redundant), file=sys.stderr)
    return countries, other_names, aliases, iso_index, index


def check_upr_info(directory, iso_index, index):
    names = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.csv"))):
        # The export is Mac Roman (0x8E is "é") with CR line endings.
        text = open(path, "rb").read().decode("mac_roman")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        for row in csv.DictReader(io.StringIO(text)):
            for column in ("To", "From"):
                value = row[column].strip()
                names.setdefault(value, set()).add(column)
    if not names:
        sys.exit(f"error: no CSV rows under {directory}")
    unmatched = sorted(n for n in names if normalised(n) not in iso_index)
    print(f"UPR Info: {len(names)} distinct To/From names; {len(unmatched)} not matched by pycountry alone:",
          file=sys.stderr)
    for name in unmatched:
        print(f"  {name!r} -> {index.get(normalised(name), 'UNMAPPED')}", file=sys.stderr)
    missing = [n for n in unmatched if normalised(n) not in index]
    not_states = [n for n in missing if n in NOT_STATES]
    if not_states:
        print("not states, left unmapped: " + ", ".join(repr(n) for n in not_states), file=sys.stderr)
    failures = [n for n in missing if n not in NOT_STATES]
    if failures:
        sys.exit("error: unmapped UPR Info names: " + ", ".join(repr(n) for n in failures))


def emit(countries, other_names, aliases):
    version = getattr(pycountry, "__version__", "unknown")
    out = []
    w = out.append
    w("// Generated by scripts/reference/generate_countries.py from pycountry " + version + ". Do not edit by hand.")
    w("")
    w("/// The ISO 3166-1 countries, with their alpha-3 codes and English short names.")
    w("///")
    w("/// States under review and recommending states are stored as alpha-3 codes; `code(forName:)`")
    w("/// turns the names found in imported data (UN documents, UPR Info) into those codes.")
    w("public enum Countries {")
    w("    /// One ISO 3166-1 country.")
    w("    public struct Country: Sendable, Hashable {")
    w("        /// The ISO 3166-1 alpha-3 code, such as \"FRA\".")
    w("        public let alpha3: String")
    w("")
    w("        /// The ISO 3166-1 English short name, such as \"Korea, Republic of\".")
    w("        public let name: String")
    w("    }")
    w("")
    w(f"    /// Every ISO 3166-1 country ({len(countries)} of them), in alpha-3 code order.")
    w("    public static let all: [Country] = [")
    for c in countries:
        w(f"        Country(alpha3: {swift_string(c.alpha_3)}, name: {swift_string(c.name)}),")
    w("    ]")
    w("")
    w("    /// The other names ISO 3166-1 gives a country (pycountry's common and official names), to alpha-3 code.")
    w("    static let otherNames: [String: String] = [")
    for name, code in other_names:
        w(f"        {swift_string(name)}: {swift_string(code)},")
    w("    ]")
    w("")
    w("    /// Names used by UN documents and UPR Info that ISO 3166-1 does not use, lowercased, to alpha-3 code.")
    w("    public static let aliases: [String: String] = [")
    for key, code in aliases:
        w(f"        {swift_string(key)}: {swift_string(code)},")
    w("    ]")
    w("")
    w("    /// The ISO 3166-1 alpha-2 code of each country, to its alpha-3 code (\"PK\": \"PAK\").")
    w("    public static let alpha3ByAlpha2: [String: String] = [")
    for c in sorted(countries, key=lambda c: c.alpha_2):
        w(f"        {swift_string(c.alpha_2)}: {swift_string(c.alpha_3)},")
    w("    ]")
    w("")
    w("    /// Returns the alpha-3 code of the country with this ISO 3166-1 alpha-2 code (any case), or nil.")
    w("    public static func code(forAlpha2 code: String) -> String? {")
    w("        alpha3ByAlpha2[code.uppercased()]")
    w("    }")
    w("")
    w("    /// Returns the alpha-3 code of the country with this name, or nil when no country has it.")
    w("    ///")
    w("    /// Matches case-insensitively, after trimming and collapsing whitespace, on the ISO short name,")
    w("    /// the other ISO names and `aliases`.")
    w("    public static func code(forName name: String) -> String? {")
    w("        codesByName[normalised(name)]")
    w("    }")
    w("")
    w("    /// Returns the ISO 3166-1 English short name of the country with this alpha-3 code (any case), or nil.")
    w("    public static func name(forCode code: String) -> String? {")
    w("        countriesByCode[code.uppercased()]?.name")
    w("    }")
    w("")
    w("    private static let countriesByCode: [String: Country] = Dictionary(")
    w("        uniqueKeysWithValues: all.map { ($0.alpha3, $0) })")
    w("")
    w("    private static let codesByName: [String: String] = {")
    w("        var index: [String: String] = [:]")
    w("        for country in all {")
    w("            index[normalised(country.name)] = country.alpha3")
    w("        }")
    w("        for (name, code) in otherNames where index[normalised(name)] == nil {")
    w("            index[normalised(name)] = code")
    w("        }")
    w("        for (name, code) in aliases where index[normalised(name)] == nil {")
    w("            index[normalised(name)] = code")
    w("        }")
    w("        return index")
    w("    }()")
    w("")
    w("    /// The matching key: whitespace trimmed and collapsed, lowercased, curly apostrophes made straight.")
    w("    private static func normalised(_ name: String) -> String {")
    w("        let collapsed = name.split(whereSeparator: \\.isWhitespace).joined(separator: \" \").lowercased()")
    w("        return String(collapsed.map { $0 == \"\\u{2019}\" ? \"'\" : $0 })")
    w("    }")
    w("}")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upr-info", metavar="DIR", help="check that every To/From name in DIR/*.csv resolves")
    args = parser.parse_args()
    countries, other_names, aliases, iso_index, index = build()
    if args.upr_info:
        check_upr_info(args.upr_info, iso_index, index)
    for line in emit(countries, other_names, aliases).splitlines():
        if len(line) > 120:
            sys.exit(f"error: generated line longer than 120 characters: {line}")
    sys.stdout.write(emit(countries, other_names, aliases))


if __name__ == "__main__":
    main()
