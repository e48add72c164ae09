/* SPDX-License-Identifier: MIT */
/* Where the viewer's translations are: installed, under LOCALEDIR; run
 * from the build tree, the catalogs built there. And names in sentences,
 * which keep their own direction. */
#include "rndimg-viewer-i18n.h"
#include "rndimg-viewer-settings.h"

#include <glib/gi18n-lib.h>

void
rndimg_viewer_i18n_init (void)
{
  const char *dir = rndimg_viewer_running_uninstalled () ? RNDIMG_VIEWER_BUILD_LOCALE_DIR : LOCALEDIR;

  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* @text between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: a name
 * (a file, an album, a server) in a sentence of another direction keeps
 * its own and does not reorder the sentence ("cat.png" in Persian). */
char *
rndimg_viewer_isolate (const char *text)
{
  return g_strconcat ("\u2068", text != NULL ? text : "", "\u2069", NULL);
}
