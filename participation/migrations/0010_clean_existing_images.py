"""Images uploaded before uploads were processed were stored as they came (GPS position and camera
data in their EXIF, full size). Replace each by its clean renditions and delete the original.

Not atomic: one row per transaction (see participation.uploads.clean_stored_images), so a large
media library is not held in one transaction, and a photo that fails (missing file, storage down)
stays unserved for `python manage.py clean_images` instead of stopping `migrate`. Running it again
does nothing to rows already cleaned.
"""

from django.db import migrations


def clean_images(apps, schema_editor):
    from participation.uploads import clean_stored_images

    cleaned, left = clean_stored_images(apps.get_model("participation", "Attachment"))
    if cleaned or left:
        print(f"  Attachment: {cleaned} image(s) cleaned, {left} left for `manage.py clean_images`")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("participation", "0009_image_renditions")]

    operations = [migrations.RunPython(clean_images, migrations.RunPython.noop, elidable=True)]
