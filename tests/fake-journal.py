# SPDX-License-Identifier: MIT
# Stands in for systemd-journald, for tests/test-service.sh: listens where
# journald does (run it in a private mount namespace with a tmpfs on /run),
# starts the server with its standard error connected to the journal's
# stream socket, as systemd would, makes one request, stops the server and
# prints every native-protocol record it received, one field a line.
# Usage: fake-journal.py SERVER ARG...
import os
import signal
import socket
import subprocess
import sys
import urllib.request

os.makedirs("/run/systemd/journal", exist_ok=True)
records = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
records.bind("/run/systemd/journal/socket")
records.settimeout(0.5)
streams = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
streams.bind("/run/systemd/journal/stdout")
streams.listen(1)

stderr = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stderr.connect("/run/systemd/journal/stdout")
server = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=stderr.fileno(), text=True)
url = server.stdout.readline().strip()
request = urllib.request.Request(url + "healthz", headers={"User-Agent": "journal-probe/1.0"})
urllib.request.urlopen(request).read()
server.send_signal(signal.SIGTERM)
status = server.wait(10)

while True:
    try:
        record = records.recv(65536)
    except socket.timeout:
        break
    print(record.decode(errors="replace"))
print("EXIT=%d" % status)
