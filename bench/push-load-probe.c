/* SPDX-License-Identifier: MIT */
/* push-load: how many clients the server says it holds (its stats page),
 * and how much memory its processes use (VmRSS in /proc). */
#include "push-load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long
ready_count_on (const Target *target, int port)
{
  char *answer = net_get_blocking (port, target->ready_path);
  const char *found = answer != NULL ? strstr (answer, target->ready_key) : NULL;
  long count = found != NULL ? strtol (found + strlen (target->ready_key), NULL, 10) : -1;

  free (answer);
  return count;
}

/* The number after ready_key in the stats page, added up over every
 * ready port (the nodes behind a balancer); -1 when one is unreadable. */
long
probe_ready_count (const Target *target)
{
  long total = 0;

  if (target->ready_ports == NULL)
    return ready_count_on (target, target->port);
  for (const char *next = target->ready_ports; *next != '\0';)
    {
      char *end;
      long count = ready_count_on (target, (int) strtol (next, &end, 10));

      if (count < 0 || end == next)
        return -1;
      total += count;
      next = *end == ',' ? end + 1 : end;
    }
  return total;
}

static long
rss_kib_of (long pid)
{
  char path[64], line[256];
  long kib = -1;
  FILE *status;

  snprintf (path, sizeof path, "/proc/%ld/status", pid);
  if ((status = fopen (path, "r")) == NULL)
    return -1;
  while (fgets (line, sizeof line, status) != NULL)
    if (strncmp (line, "VmRSS:", 6) == 0)
      kib = strtol (line + 6, NULL, 10);
  fclose (status);
  return kib;
}

/* The sum over every pid in PIDS ("12,34"); -1 if one is gone. */
long
probe_rss_kib (const char *pids)
{
  long total = 0;

  for (const char *next = pids; *next != '\0';)
    {
      char *end;
      long kib = rss_kib_of (strtol (next, &end, 10));

      if (kib < 0 || end == next)
        return -1;
      total += kib;
      next = *end == ',' ? end + 1 : end;
    }
  return total;
}
