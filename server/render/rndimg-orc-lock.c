/* SPDX-License-Identifier: MIT */
/* One Orc program compiled or freed at a time in the process.
 *
 * libvips 8.14 compiles an Orc program for each reduce it builds and frees
 * it with the operation, on whatever thread does either. Orc 0.4.33
 * (Debian 12) hands out its executable code memory from a chunk list that
 * is not locked while a chunk is split or marked used, nor at all when a
 * chunk is freed and merged: two render threads, one building a reduce and
 * one freeing another, corrupt that list, and the process aborts in
 * malloc ("double free or corruption", found by bench/compare-variants.sh
 * and tests/test-render-threads.c). Newer Orc releases lock it; libvips
 * gives no hook.
 *
 * So the module defines the two Orc calls libvips makes for this,
 * orc_program_compile() and orc_program_free(): a module loaded with
 * dlopen() is searched before its own dependencies, so libvips (loaded
 * with it) resolves them here; each takes one lock and calls liborc's
 * own. The lock is process-wide because what it guards, liborc's code
 * memory, is. Running a compiled program takes no lock.
 *
 * When libvips was loaded before the module (LD_PRELOAD), it binds to
 * liborc itself: rndimg_orc_lock_in_effect() says so, and rndimg-vips.c
 * then turns libvips' Orc code off (slower reduces, no crash). */
#include <dlfcn.h>
#include "rndimg-orc-lock.h"

#include <glib.h>

/* liborc's own declarations (orc/orcprogram.h), without its headers,
 * which do not build cleanly at -Wpedantic: the program is opaque here and
 * OrcCompileResult an enum, returned as an int. */
typedef struct _OrcProgram OrcProgram;
typedef int OrcCompileResult;

#define RNDIMG_ORC_EXPORT __attribute__ ((visibility ("default")))

typedef struct
{
  OrcCompileResult (*compile) (OrcProgram *program);
  void (*free) (OrcProgram *program);
} LiborcCalls;

static GMutex orc_code_memory_lock;

/* Fails loudly when liborc's own @name (the next definition after this
 * module's) is missing: libvips could not have loaded without it. */
static void
check_found (const void *function, const char *name)
{
  if (function == NULL)
    g_error ("rndimg-render: liborc's %s not found: %s", name, dlerror ());
}

static gpointer
find_liborc_calls (gpointer unused)
{
  static LiborcCalls calls;

  (void) unused;
  /* POSIX's way to take a function from dlsym() (its rationale). */
  *(void **) &calls.compile = dlsym (RTLD_NEXT, "orc_program_compile");
  check_found (*(void **) &calls.compile, "orc_program_compile");
  *(void **) &calls.free = dlsym (RTLD_NEXT, "orc_program_free");
  check_found (*(void **) &calls.free, "orc_program_free");
  return &calls;
}

static const LiborcCalls *
liborc_calls (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, find_liborc_calls, NULL);
}

RNDIMG_ORC_EXPORT OrcCompileResult orc_program_compile (OrcProgram *program);
RNDIMG_ORC_EXPORT void orc_program_free (OrcProgram *program);

OrcCompileResult
orc_program_compile (OrcProgram *program)
{
  const LiborcCalls *calls = liborc_calls ();
  OrcCompileResult result;

  g_mutex_lock (&orc_code_memory_lock);
  result = calls->compile (program);
  g_mutex_unlock (&orc_code_memory_lock);
  return result;
}

void
orc_program_free (OrcProgram *program)
{
  const LiborcCalls *calls = liborc_calls ();

  g_mutex_lock (&orc_code_memory_lock);
  calls->free (program);
  g_mutex_unlock (&orc_code_memory_lock);
}

/* Whether libvips' calls reach the two above: what a lookup from this
 * module finds first is what libvips, loaded with it, is bound to, and
 * that must not be liborc's own. */
gboolean
rndimg_orc_lock_in_effect (void)
{
  const LiborcCalls *calls = liborc_calls ();
  void *found = dlsym (RTLD_DEFAULT, "orc_program_compile");

  return found != NULL && found != *(void *const *) &calls->compile;
}
