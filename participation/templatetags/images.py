"""`{% responsive_image %}`: an uploaded photo as an <img> that lets the browser pick its size.

The browser chooses from the stored renditions (`srcset`) by the width the layout gives the image
(`sizes`) and the screen's pixel density, so a card on a phone fetches the 320-pixel file, not the
1280-pixel one. Width and height are set (no layout shift while it loads) and it loads lazily.
"""

from django import template
from django.utils.html import format_html

register = template.Library()

# The width each layout gives a photo, as `sizes` says it (kept in step with portal.css), and the
# rendition for browsers without srcset.
LAYOUTS = {
    # .proposal-card .cover: a thumbnail beside the card's text
    "card": ("(min-width: 40rem) 8rem, 6rem", 320),
    # .attachments .photo: two columns on a phone, a row of thumbnails on a wide screen
    "photo": ("(min-width: 48rem) 11rem, calc(50vw - 1.5rem)", 320),
}


@register.simple_tag
def responsive_image(renditions, url: str, *, layout: str, alt: str = "", css_class: str = ""):
    """`renditions` as stored on the record; `url` is the record's download URL, under which each
    rendition is `<url><width>/`; `layout` one of LAYOUTS."""
    if not renditions:
        return ""
    sizes, fallback = LAYOUTS[layout]
    chosen = next((entry for entry in renditions if entry["width"] >= fallback), renditions[-1])
    srcset = ", ".join(f"{url}{entry['width']}/ {entry['width']}w" for entry in renditions)
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} loading="lazy" decoding="async">',
        f"{url}{chosen['width']}/",
        srcset,
        sizes,
        chosen["width"],
        chosen["height"],
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
    )
