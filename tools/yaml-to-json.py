#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turns a YAML document (docs/openapi.yaml) into compact JSON, at build
# time. Dates stay the strings they are written as: YAML 1.1 would read
# 2026-11-24 as a date, and JSON has none.
import json
import sys

import yaml


class PlainLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp type."""


PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def main(source, target):
    with open(source, encoding="utf-8") as f:
        document = yaml.load(f, Loader=PlainLoader)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: yaml-to-json.py SOURCE.yaml TARGET.json")
    main(sys.argv[1], sys.argv[2])
