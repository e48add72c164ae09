#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Asks rndimg for COUNT distinct variants of one picture, one after the
# other on a kept connection (bench/compare-variants.sh's memory run):
#   many-variants.py BASE_URL /img/NAME/VERSION/ COUNT
import http.client
import sys
import urllib.parse

base, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlsplit(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
failed = 0
for k in range(count):
    path = f"{prefix}{100 + k % 100}x{100 + k // 100}.jpg"
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        failed += 1
print(f"{count} variants asked, {failed} not 200")
