/* The JSON endpoints that read the catalogue. */
#include "rndimg-api.h"
#include "rndimg-http.h"
#include "rndimg-image-type.h"

/* GET /polling/api/v1.0/rndimg[?exclude=NAME] (and the tutorial's POST /):
 * {"status":"success","message":"<absolute URL of a random image>"}. */
void
rndimg_api_random (RndimgService *service, SoupServerMessage *msg,
                   const char *path, GHashTable *query)
{
  const char *exclude = query != NULL ? g_hash_table_lookup (query, "exclude") : NULL;
  g_autoptr(RndimgImage) image = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *url = NULL;

  if (exclude != NULL && !rndimg_image_type_name_is_allowed (exclude))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "exclude must be an image name like 023.png");
      return;
    }

  image = rndimg_catalogue_pick_random (rndimg_service_get_catalogue (service), exclude);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
      return;
    }

  url = rndimg_http_image_url (msg, image->name);
  node = rndimg_http_success_node (url);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}

static void
add_image (JsonBuilder *builder, SoupServerMessage *msg, const RndimgImage *image)
{
  g_autofree char *url = rndimg_http_image_url (msg, image->name);
  g_autoptr(GDateTime) modified = g_date_time_new_from_unix_utc (image->modified_usec / G_USEC_PER_SEC);
  g_autofree char *modified_text = g_date_time_format_iso8601 (modified);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, image->name);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, image->size);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, image->content_type);
  json_builder_set_member_name (builder, "modified");
  json_builder_add_string_value (builder, modified_text);
  json_builder_end_object (builder);
}

/* GET /polling/api/v1.0/images: the whole catalogue, in name order. */
void
rndimg_api_list_images (RndimgService *service, SoupServerMessage *msg,
                        const char *path, GHashTable *query)
{
  g_autoptr(GPtrArray) images = rndimg_catalogue_list (rndimg_service_get_catalogue (service));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, images->len);
  json_builder_set_member_name (builder, "images");
  json_builder_begin_array (builder);
  for (guint i = 0; i < images->len; i++)
    add_image (builder, msg, g_ptr_array_index (images, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}
