"""Forms of the risk pages: they check shape; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compliance.choices import Role
from compliance.models import Membership, User
from controls.models import Requirement
from risks.choices import MAX_SCALE, MIN_SCALE, AssetKind, Classification, Treatment
from risks.models import Asset, RiskMethod
from risks.models.method import label_text

SIZES = [(n, f"{n}") for n in range(MIN_SCALE, MAX_SCALE + 1)]


def member_choices(memberships: list[Membership]) -> list[tuple[Any, Any]]:
    members = sorted(((m.user_id, str(m.user)) for m in memberships), key=lambda c: c[1])
    return [("", _("nobody")), *members]


class MemberField(forms.TypedChoiceField):
    def __init__(self, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(
            choices=member_choices(memberships),
            coerce=int,
            required=False,
            empty_value=None,
            **kwargs,
        )


def member_user(memberships: list[Membership], user_id: int | None) -> User | None:
    by_id = {m.user_id: m.user for m in memberships}
    return by_id.get(user_id) if user_id is not None else None


class AssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    health_data = forms.BooleanField(label=_("Holds health data"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.fields["owner"] = MemberField(memberships, label=_("Owner"))

    def clean_owner(self) -> User | None:
        return member_user(self.memberships, self.cleaned_data.get("owner"))


def _scale_choices(method: RiskMethod, kind: str) -> list[tuple[Any, str]]:
    labels = method.likelihood_labels if kind == "likelihood" else method.impact_labels
    return [("", "—")] + [(n, f"{n} · {label_text(label)}") for n, label in enumerate(labels, 1)]


def requirement_choices() -> QuerySet[Requirement]:
    """Controls a risk can point at: every assessable requirement (Annex A and others)."""
    return (
        Requirement.objects.filter(assessable=True)
        .select_related("framework")
        .order_by("framework__code", "order")
    )


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.code} {obj.ref_id} {obj.title}"


class ActionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.finding.reference} · {obj.title} ({obj.due_date:%Y-%m-%d})"


class ActionForm(forms.Form):
    """A new remediation action for the risk's treatment."""

    title = forms.CharField(label=_("Action"), max_length=300)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.fields["owner"] = MemberField(memberships, label=_("Owner"))

    def clean_owner(self) -> User | None:
        return member_user(self.memberships, self.cleaned_data.get("owner"))


class RiskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    threat = forms.CharField(
        label=_("Threat"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    vulnerability = forms.CharField(
        label=_("Vulnerability"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    affects_confidentiality = forms.BooleanField(label=_("Confidentiality"), required=False)
    affects_integrity = forms.BooleanField(label=_("Integrity"), required=False)
    affects_availability = forms.BooleanField(label=_("Availability"), required=False)
    consequences = forms.CharField(
        label=_("Consequences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    treatment = forms.ChoiceField(
        label=_("Treatment"), choices=[("", "—"), *Treatment.choices], required=False
    )
    treatment_description = forms.CharField(
        label=_("Treatment plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    review_date = forms.DateField(
        label=_("Next review"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    STAGES = (
        ("inherent", _("Inherent")),
        ("current", _("Current")),
        ("residual", _("Target residual")),
    )

    def __init__(
        self,
        *args: Any,
        memberships: list[Membership],
        method: RiskMethod,
        assets: QuerySet[Asset],
        actions: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        self.method = method
        self.fields["assets"] = forms.ModelMultipleChoiceField(
            label=_("Assets"), queryset=assets, required=False
        )
        self.fields["actions"] = ActionChoiceField(
            label=_("Remediation actions"),
            queryset=actions,
            required=False,
            help_text=_("Actions of the remediation plan that carry this treatment."),
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        for stage, stage_label in self.STAGES:
            for kind, kind_label in (("likelihood", _("likelihood")), ("impact", _("impact"))):
                self.fields[f"{stage}_{kind}"] = forms.TypedChoiceField(
                    label=f"{stage_label} · {kind_label}",
                    choices=_scale_choices(method, kind),
                    coerce=int,
                    required=False,
                    empty_value=None,
                )
        for role, label in (
            ("existing_controls", _("Existing controls")),
            ("planned_controls", _("Planned controls")),
        ):
            self.fields[role] = RequirementChoiceField(
                label=label,
                queryset=requirement_choices(),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 8}),
            )
        self.fields["owner"] = MemberField(memberships, label=_("Risk owner"))

    def clean_owner(self) -> User | None:
        return member_user(self.memberships, self.cleaned_data.get("owner"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for stage, _label in self.STAGES:
            pair = (data.get(f"{stage}_likelihood"), data.get(f"{stage}_impact"))
            if (pair[0] is None) != (pair[1] is None):
                self.add_error(
                    f"{stage}_likelihood", _("Give both the likelihood and the impact, or neither.")
                )
        return data


class AcceptForm(forms.Form):
    acceptance_reason = forms.CharField(
        label=_("Reason for accepting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the residual level is above the acceptance threshold."),
    )


class MethodForm(forms.Form):
    likelihood_size = forms.TypedChoiceField(
        label=_("Likelihood levels"), choices=SIZES, coerce=int
    )
    impact_size = forms.TypedChoiceField(label=_("Impact levels"), choices=SIZES, coerce=int)
    acceptance_threshold = forms.IntegerField(
        label=_("Acceptance threshold"),
        min_value=1,
        max_value=MAX_SCALE * MAX_SCALE,
        help_text=_("Highest likelihood x impact score accepted without a written reason."),
    )
    acceptor_roles = forms.MultipleChoiceField(
        label=_("Who may accept residual risk, besides the risk owner"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Method description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, kind_label in (("likelihood", _("Likelihood")), ("impact", _("Impact"))):
            for n in range(1, MAX_SCALE + 1):
                for language in ("fr", "en"):
                    self.fields[f"{kind}_{n}_{language}"] = forms.CharField(
                        label=f"{kind_label} {n} ({language.upper()})",
                        max_length=80,
                        required=False,
                    )

    def labels(self, kind: str) -> list[dict[str, str]]:
        """The scale's labels; a level left blank in both languages takes the default
        label for that scale size (growing a scale need not mean typing every label)."""
        from risks.services.method import default_labels

        size = self.cleaned_data[f"{kind}_size"]
        defaults = default_labels(kind, size)
        labels = []
        for n in range(1, size + 1):
            fr = self.cleaned_data.get(f"{kind}_{n}_fr", "").strip()
            en = self.cleaned_data.get(f"{kind}_{n}_en", "").strip()
            labels.append({"fr": fr, "en": en} if fr or en else defaults[n - 1])
        return labels

    def label_rows(self) -> list[tuple[int, list[Any]]]:
        """One row per level: likelihood FR/EN, impact FR/EN (bound fields)."""
        return [
            (
                n,
                [
                    self[f"{kind}_{n}_{language}"]
                    for kind in ("likelihood", "impact")
                    for language in ("fr", "en")
                ],
            )
            for n in range(1, MAX_SCALE + 1)
        ]

    @staticmethod
    def initial_from(method: RiskMethod | None) -> dict[str, Any]:
        from risks.services.method import default_labels

        likelihood = method.likelihood_labels if method else default_labels("likelihood", 4)
        impact = method.impact_labels if method else default_labels("impact", 4)
        initial: dict[str, Any] = {
            "likelihood_size": len(likelihood),
            "impact_size": len(impact),
            "acceptance_threshold": method.acceptance_threshold if method else 4,
            "acceptor_roles": method.acceptor_roles if method else [Role.MANAGER],
            "description": method.description if method else "",
        }
        for kind, labels in (("likelihood", likelihood), ("impact", impact)):
            for n, label in enumerate(labels, 1):
                initial[f"{kind}_{n}_fr"] = label.get("fr", "")
                initial[f"{kind}_{n}_en"] = label.get("en", "")
        return initial
