"""A select box rendered in Python.

Django renders every <option> through its own template; a region list of a few hundred
options then costs more than the rest of the page. The markup here is the same as Django's
select.html (name, id, attributes, optgroups, selected), escaped the same way.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        parts = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}{}>{}</option>',
                        option["value"],
                        flatatt({k: v for k, v in option["attrs"].items() if k != "selected"}),
                        mark_safe(" selected") if option["selected"] else "",
                        conditional_escape(option["label"]),
                    )
                )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))


def use_fast_selects(form) -> None:
    """Swap every plain single select of a form for FastSelect (same markup, rendered in Python)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs, choices=widget.choices)
            fast.is_required = widget.is_required
            field.widget = fast
