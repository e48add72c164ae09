/* SPDX-License-Identifier: MIT */
/* rndimg-viewer: a GNOME app for an rndimg server. */
#include <glib/gi18n-lib.h>
#include <locale.h>

#include "rndimg-viewer-application.h"
#include "rndimg-viewer-i18n.h"

int
main (int argc, char **argv)
{
  g_autoptr(RndimgViewerApplication) application = NULL;

  setlocale (LC_ALL, "");
  rndimg_viewer_i18n_init ();
  g_set_application_name (_("rndimg Viewer"));
  application = rndimg_viewer_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
