"""Region forms: the parent is chosen within the user's own subtree."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.core.permissions import Action

from .models import Region


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "parent"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Region.objects.restrict(user, Action.CHANGE)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda r: f"{'　' * (r.depth - 1)}{r.name} ({r.code})"
        if not user.is_superuser:
            # Only a superuser may add a root: anyone else's region must stay inside their own subtree.
            self.fields["parent"].required = True
            self.fields["parent"].empty_label = None
        self.fields["parent"].help_text = _("Province > city > county/zone: at most three levels.")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") else "form-control"
