"""The park form and the project's park form: shape only; the services check codes and rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.domain.codes import ParkType, PartnerRole
from app.services.parks.register import ParkData, PartnerData
from app.web.fields import AmountField, CodedField, IsoDateField, NonNegative, PickerField

MAX_PARTNERS = 4
MAX_INDUSTRIES = 4


class ParkFormBase(FlaskForm):
    """A park's heading, cycle and area; partner and industry rows are added below."""

    version = HiddenField()
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    park_type = CodedField(_l("Type"), enum=ParkType)
    host_region = PickerField(_l("Host region"), validators=[DataRequired()], kind="regions")
    approving_document = StringField(_l("Approving document"),
                                     validators=[Optional(), Length(max=200)],
                                     description=_l("For example 发改地区〔2023〕729号"))
    approved_on = IsoDateField(_l("Approved on"), validators=[Optional()])
    cycle_start = IsoDateField(_l("Cycle start"), validators=[DataRequired()])
    cycle_end = IsoDateField(_l("Cycle end"), validators=[Optional()],
                             description=_l("A national zone runs in five-year cycles"))
    planned_area = AmountField(_l("Planned area (亩)"), validators=[Optional(), NonNegative()])


def park_form_class() -> type[ParkFormBase]:
    """The park form with its partner rows (region and role) and leading industries (blank
    rows are ignored)."""

    class Form(ParkFormBase):
        pass

    for n in range(MAX_PARTNERS):
        setattr(Form, f"partner{n}_region", PickerField(
            _l("Partner %(n)s region", n=n + 1), kind="regions", default=""))
        setattr(Form, f"partner{n}_role", CodedField(
            _l("Partner %(n)s role", n=n + 1), enum=PartnerRole, default=PartnerRole.SOURCE))
    for n in range(MAX_INDUSTRIES):
        setattr(Form, f"industry{n}", PickerField(
            _l("Leading industry %(n)s (GB/T 4754)", n=n + 1), kind="industries", default=""))

    def to_data(self) -> ParkData:
        return ParkData(
            code=self.code.data or "", name=self.name.data or "",
            park_type=self.park_type.data, host_region=self.host_region.data or "",
            cycle_start=self.cycle_start.data, cycle_end=self.cycle_end.data,
            partners=[PartnerData(getattr(self, f"partner{n}_region").data,
                                  getattr(self, f"partner{n}_role").data)
                      for n in range(MAX_PARTNERS) if getattr(self, f"partner{n}_region").data],
            approving_document=self.approving_document.data or "",
            approved_on=self.approved_on.data, planned_area=self.planned_area.data,
            industries=[getattr(self, f"industry{n}").data for n in range(MAX_INDUSTRIES)
                        if getattr(self, f"industry{n}").data])

    def fill(self, park) -> None:
        """Put a stored park's values in the form (codes for the pickers)."""
        self.version.data = park.version
        self.code.data, self.name.data = park.code, park.name
        self.park_type.data = park.park_type
        self.host_region.data = park.host_region.code
        self.approving_document.data = park.approving_document or ""
        self.approved_on.data = park.approved_on
        self.cycle_start.data, self.cycle_end.data = park.cycle_start, park.cycle_end
        self.planned_area.data = park.planned_area
        for n, partner in enumerate(park.partners[:MAX_PARTNERS]):
            getattr(self, f"partner{n}_region").data = partner.region.code
            getattr(self, f"partner{n}_role").data = partner.role
        for n, industry in enumerate(park.industries[:MAX_INDUSTRIES]):
            getattr(self, f"industry{n}").data = industry.industry_code

    Form.to_data = to_data
    Form.fill = fill
    return Form


class MembershipForm(FlaskForm):
    """The park a project belongs to (blank: none) and since when."""

    version = HiddenField()
    park = SelectField(_l("Park"), validate_choice=False,
                       description=_l("Choose none to take the project out of its park"))
    joined_on = IsoDateField(_l("Joined the park on"), validators=[Optional()])
    left_on = IsoDateField(_l("Left the park on"), validators=[Optional()])
