"""The project form: shape only; the services check codes and business rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.domain.codes import CooperationMode, Intensity, ProjectStatus
from app.services.funds.projects import MAX_JOBS, ProjectData
from app.web.fields import AmountField, CodedField, IsoDateField, NonNegative, PickerField


class ProjectForm(FlaskForm):
    """A transferred project. Money in yuan, land in 亩."""

    version = HiddenField()
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    enterprise = StringField(_l("Enterprise"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=40)])
    industry = PickerField(_l("Industry (GB/T 4754 division)"), validators=[DataRequired()],
                           kind="industries")
    intensity = CodedField(_l("Intensity category"), enum=Intensity)
    source_region = PickerField(_l("Source region"), validators=[DataRequired()],
                                kind="regions")
    destination_region = PickerField(_l("Destination region"), validators=[DataRequired()],
                                     kind="regions")
    cooperation_mode = CodedField(_l("Cooperation mode"), enum=CooperationMode)
    park = StringField(_l("Park"), validators=[Optional(), Length(max=200)])
    status = CodedField(_l("Status"), enum=ProjectStatus)
    planned_investment = AmountField(_l("Planned investment (yuan)"),
                                     validators=[Optional(), NonNegative()])
    planned_jobs = IntegerField(_l("Planned jobs"),
                                validators=[Optional(), NumberRange(min=0, max=MAX_JOBS)])
    land_area = AmountField(_l("Land area (亩)"), validators=[Optional(), NonNegative()])
    production_start_on = IsoDateField(_l("Production start (达产)"), validators=[Optional()])
    is_two_high = BooleanField(_l("Two-high (high energy use, high emissions)"))
    capacity_replacement_ref = StringField(_l("Capacity-replacement reference"),
                                           validators=[Optional(), Length(max=200)])

    @classmethod
    def for_project(cls, project) -> ProjectForm:
        """The form filled in from a stored project (codes for the pickers)."""
        form = cls(obj=project)
        if not form.is_submitted():  # obj would otherwise put model objects in the pick lists
            form.industry.data = project.industry_code
            form.source_region.data = project.source_region.code
            form.destination_region.data = project.destination_region.code
        return form

    def to_data(self) -> ProjectData:
        """The entered values for the service."""
        return ProjectData(
            code=self.code.data, name=self.name.data, enterprise=self.enterprise.data,
            industry=self.industry.data, intensity=self.intensity.data,
            source_region=self.source_region.data,
            destination_region=self.destination_region.data,
            cooperation_mode=self.cooperation_mode.data, status=self.status.data,
            uscc=self.uscc.data or "", park=self.park.data or "",
            planned_investment=self.planned_investment.data,
            planned_jobs=self.planned_jobs.data, land_area=self.land_area.data,
            production_start_on=self.production_start_on.data,
            is_two_high=bool(self.is_two_high.data),
            capacity_replacement_ref=self.capacity_replacement_ref.data or "")
