/* SPDX-License-Identifier: MIT */
/* The render module, loaded on first need. libvips 8.14 and what
 * Debian's libvips42 links (librsvg, OpenEXR, ICU, libstdc++, …) are
 * some 20 MB of pages mapped and touched the moment they are loaded: the
 * server keeps them out of its address space until a picture is
 * decoded (a placeholder not in the state folder yet) or rendered, as
 * GTK loads its media backend. The module is found beside the executable
 * in a build tree, in libdir/rndimg/ installed, or at $RNDIMG_RENDER_MODULE;
 * it resolves what it uses of the server against the executable (as
 * nginx's dynamic modules do) and offers one table of entry points.
 * Loading happens once, on whichever thread first asks (a placeholder
 * worker, a render thread, or the main loop asking which encoders
 * exist); a module that cannot be loaded is said once in the log and
 * every later ask gets the same error. */
#include "rndimg-render-engine.h"

#include <dlfcn.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gmodule.h>

struct _RndimgRenderEngine
{
  GObject parent_instance;

  char *module_path;
  GMutex lock;
  gboolean tried;               /* under @lock */
  gboolean closed;              /* under @lock: no load may start any more */
  const RndimgRenderEntryPoints *entry_points; /* set once, then read freely */
  GError *failure;
};

G_DEFINE_FINAL_TYPE (RndimgRenderEngine, rndimg_render_engine, G_TYPE_OBJECT)

/* Whether the executable is the one in its build tree: the same folder,
 * whatever links lead to it (/proc/self/exe has them resolved). */
static gboolean
runs_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *folder = exe != NULL ? g_path_get_dirname (exe) : NULL;
  GStatBuf running, built;

  return folder != NULL && g_stat (folder, &running) == 0 && g_stat (RNDIMG_BUILD_SERVER_DIR, &built) == 0 &&
         running.st_dev == built.st_dev && running.st_ino == built.st_ino;
}

/* Where the render module is: $RNDIMG_RENDER_MODULE, else beside the
 * executable run from its build tree, else where it is installed. */
char *
rndimg_render_engine_find_module (void)
{
  const char *chosen = g_getenv ("RNDIMG_RENDER_MODULE");

  if (chosen != NULL && *chosen != '\0')
    return g_strdup (chosen);
  return g_strdup (runs_from_build_tree () ? RNDIMG_BUILD_RENDER_MODULE : RNDIMG_INSTALLED_RENDER_MODULE);
}

/* Takes nothing from the module yet. Call it before any thread starts:
 * it sets libvips' VIPSHOME for the module's later start. */
RndimgRenderEngine *
rndimg_render_engine_new (const char *module_path)
{
  RndimgRenderEngine *self = g_object_new (RNDIMG_TYPE_RENDER_ENGINE, NULL);

  self->module_path = g_strdup (module_path);
  g_setenv ("VIPSHOME", RNDIMG_VIPSHOME_WITHOUT_MODULES, FALSE);
  return self;
}

static const RndimgRenderEntryPoints *
open_module (const char *path, GError **error)
{
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL);
  const RndimgRenderEntryPoints *entry_points = NULL;

  if (module == NULL)
    {
      g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE,
                   "the render module cannot be loaded: %s", g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, RNDIMG_RENDER_ENTRY_POINTS_SYMBOL, (gpointer *) &entry_points) ||
      entry_points == NULL || entry_points->version != RNDIMG_RENDER_ENTRY_POINTS_VERSION)
    {
      g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE,
                   "%s is not this server's render module (no %s of version %d)",
                   path, RNDIMG_RENDER_ENTRY_POINTS_SYMBOL, RNDIMG_RENDER_ENTRY_POINTS_VERSION);
      g_module_close (module);
      return NULL;
    }
  /* libvips registers its types and threads: it may never go. */
  g_module_make_resident (module);
  if (!entry_points->start (error))
    {
      g_prefix_error (error, "the render module cannot start: ");
      (*error)->domain = RNDIMG_RENDER_ERROR;
      (*error)->code = RNDIMG_RENDER_ERROR_UNAVAILABLE;
      return NULL;
    }
  return entry_points;
}

/* The module's entry points, loading it on the first call (from any
 * thread; the others wait for it), or NULL with an error of
 * RNDIMG_RENDER_ERROR_UNAVAILABLE. */
const RndimgRenderEntryPoints *
rndimg_render_engine_get (RndimgRenderEngine *self, GError **error)
{
  const RndimgRenderEntryPoints *entry_points = g_atomic_pointer_get (&self->entry_points);

  if (entry_points != NULL)
    return entry_points;
  g_mutex_lock (&self->lock);
  if (!self->tried && self->closed)
    {
      g_set_error_literal (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE, "the server is stopping");
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  if (!self->tried)
    {
      gint64 started = g_get_monotonic_time ();

      self->tried = TRUE;
      entry_points = open_module (self->module_path, &self->failure);
      /* GModule read dlerror()'s message (its probe for
       * g_module_check_init fails whatever the module): the second call
       * frees glibc's copy, held by this thread otherwise, which may be a
       * worker that ends with the process (a leak under LeakSanitizer). */
      dlerror ();
      if (entry_points == NULL)
        g_warning ("renders and placeholders are unavailable: %s", self->failure->message);
      else
        g_debug ("render module %s loaded in %.1f ms", self->module_path,
                 (double) (g_get_monotonic_time () - started) / 1000.0);
      g_atomic_pointer_set (&self->entry_points, entry_points);
    }
  entry_points = g_atomic_pointer_get (&self->entry_points);
  if (entry_points == NULL)
    g_propagate_error (error, g_error_copy (self->failure));
  g_mutex_unlock (&self->lock);
  return entry_points;
}

/* At shutdown: waits for a load in progress (a worker in dlopen() while
 * the process exits runs libraries' constructors against their
 * destructors: libgomp aborts), and lets no other start. */
void
rndimg_render_engine_close (RndimgRenderEngine *self)
{
  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  g_mutex_unlock (&self->lock);
}

/* Whether the module is loaded (libvips in the address space). */
gboolean
rndimg_render_engine_is_loaded (RndimgRenderEngine *self)
{
  return g_atomic_pointer_get (&self->entry_points) != NULL;
}

static void
rndimg_render_engine_finalize (GObject *object)
{
  RndimgRenderEngine *self = RNDIMG_RENDER_ENGINE (object);

  g_free (self->module_path);
  g_clear_error (&self->failure);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (rndimg_render_engine_parent_class)->finalize (object);
}

static void
rndimg_render_engine_class_init (RndimgRenderEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_render_engine_finalize;
}

static void
rndimg_render_engine_init (RndimgRenderEngine *self)
{
  g_mutex_init (&self->lock);
}
