#!/usr/bin/env python3
"""Count the SDG targets in Sources/Shared/Reference/SustainableDevelopmentGoals.swift.

Checks 17 goals numbered 1-17, 169 targets in all, each target prefixed by its goal's number,
numeric targets running 1..n and letter targets a..; exits non-zero on any mismatch.
"""

import os
import re
import sys

EXPECTED = {1: 7, 2: 8, 3: 13, 4: 10, 5: 9, 6: 8, 7: 5, 8: 12, 9: 8, 10: 10, 11: 10, 12: 11,
            13: 5, 14: 10, 15: 12, 16: 12, 17: 19}

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "..", "Sources", "Shared", "Reference", "SustainableDevelopmentGoals.swift")
text = open(path, encoding="utf-8").read()
blocks = re.findall(r"Goal\(\s*number: (\d+),\s*title: \"([^\"]+)\",\s*targets: \[([^\]]*)\]", text)
errors = []
total = 0
numbers = []
for number, title, body in blocks:
    n = int(number)
    numbers.append(n)
    targets = re.findall(r"\"([^\"]+)\"", body)
    total += len(targets)
    numeric = [t for t in targets if re.fullmatch(rf"{n}\.\d+", t)]
    letters = [t for t in targets if re.fullmatch(rf"{n}\.[a-z]", t)]
    if len(numeric) + len(letters) != len(targets):
        errors.append(f"goal {n}: malformed target codes {targets}")
    if numeric != [f"{n}.{i}" for i in range(1, len(numeric) + 1)]:
        errors.append(f"goal {n}: numeric targets not 1..{len(numeric)}: {numeric}")
    if letters != [f"{n}.{chr(ord('a') + i)}" for i in range(len(letters))]:
        errors.append(f"goal {n}: letter targets not a..: {letters}")
    if len(targets) != EXPECTED.get(n):
        errors.append(f"goal {n}: {len(targets)} targets, expected {EXPECTED.get(n)}")
    print(f"{n:2d} {title}: {len(targets)}")
if numbers != list(range(1, 18)):
    errors.append(f"goal numbers are {numbers}")
print(f"total targets: {total}")
if total != 169:
    errors.append(f"{total} targets, expected 169")
if errors:
    sys.exit("\n".join(errors))
