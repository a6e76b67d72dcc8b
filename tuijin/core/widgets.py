"""Form widgets for big choice lists.

Django renders each <option> through a template; a province's filter bar holds hundreds of leaders and units, and
that rendering was most of the ledger page's time. FastSelect writes the same HTML in one pass.
"""

from django import forms
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = (
            {"" if value is None else str(value)} if not isinstance(value, list | tuple) else {str(v) for v in value}
        )
        head = format_html_join(" ", '{}="{}"', ((k, v) for k, v in attrs.items() if v not in (None, False)))
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(getattr(option_value, "value", option_value))
            mark = " selected" if key in selected else ""
            options.append(f'<option value="{conditional_escape(key)}"{mark}>{conditional_escape(label)}</option>')
        return mark_safe(f"<select {head}>{''.join(options)}</select>")  # noqa: S308 - every part escaped above
