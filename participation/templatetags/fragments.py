"""`{% fragment "name" value value ... %}…{% endfragment %}`: render once per version (config/fragments.py).

Every value the enclosed markup depends on must be listed: object id and `updated_at` (or the
fields that change), counters, the viewer's rights on the object. The language is added by the
tag; the CSRF token is kept out of the cache.
"""

from django import template
from django.utils.safestring import mark_safe

from config import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        if not fragments.enabled():
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        parts = [value.resolve(context) for value in self.vary_on]

        def render():
            with context.push(csrf_token=fragments.CSRF_PLACEHOLDER):
                return self.nodelist.render(context)

        html = fragments.get_or_render(name, parts, render)
        if fragments.CSRF_PLACEHOLDER in html:
            html = fragments.with_csrf_token(html, context.get("csrf_token"))
        return mark_safe(html)


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% fragment %} needs a name and at least one value the fragment depends on")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])


@register.filter
def form_state(form):
    return fragments.form_state(form)


@register.simple_tag(takes_context=True)
def personal_part(context, name):
    """A part of the page that belongs to the person reading it (config/shared_pages.py)."""
    from config import shared_pages

    return shared_pages.personal_part_html(context, name)
