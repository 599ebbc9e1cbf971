"""The coded values of the product, with their Chinese and English labels."""

from __future__ import annotations

from enum import StrEnum

from app.domain.messages import quoted


class Coded(StrEnum):
    """A coded value whose member name is the code users and files use."""

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return _LABELS[type(self), self.value][0]

    @property
    def label_en(self) -> str:
        """The English label."""
        return _LABELS[type(self), self.value][1]

    @classmethod
    def parse(cls, text: str):
        """Read a code (``EQUITY``) or its Chinese or English label; raise ValueError if unknown."""
        value = (text or "").strip()
        for member in cls:
            if value.upper() == member.value or value in (member.label_zh, member.label_en):
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f'"{quoted(text)}" is not one of {choices}')


class Role(Coded):
    ADMIN = "ADMIN"
    FUND_MANAGER = "FUND_MANAGER"
    FINANCE_BUREAU = "FINANCE_BUREAU"
    AUDITOR = "AUDITOR"


class MacroRegion(Coded):
    EAST = "EAST"
    CENTRAL = "CENTRAL"
    WEST = "WEST"
    NORTHEAST = "NORTHEAST"


class FundClass(Coded):
    INDUSTRIAL = "INDUSTRIAL"
    VENTURE = "VENTURE"


class FundStatus(Coded):
    FUNDRAISING = "FUNDRAISING"
    INVESTING = "INVESTING"
    HARVESTING = "HARVESTING"
    LIQUIDATED = "LIQUIDATED"


class InvestorType(Coded):
    GOVERNMENT = "GOVERNMENT"
    SOE = "SOE"
    FINANCIAL = "FINANCIAL"
    PRIVATE = "PRIVATE"
    OTHER = "OTHER"


class MovementType(Coded):
    CAPITAL_CALL = "CAPITAL_CALL"
    DISTRIBUTION = "DISTRIBUTION"
    FEE = "FEE"


class Intensity(Coded):
    LABOUR = "LABOUR"
    TECHNOLOGY = "TECHNOLOGY"
    CAPITAL = "CAPITAL"
    PRODUCER_SERVICE = "PRODUCER_SERVICE"


class CooperationMode(Coded):
    CHAIN_DOCKING = "CHAIN_DOCKING"
    TRUSTEESHIP = "TRUSTEESHIP"
    JOINT_PARK = "JOINT_PARK"
    TECH_TRANSFER = "TECH_TRANSFER"
    OTHER = "OTHER"


class ProjectStatus(Coded):
    PIPELINE = "PIPELINE"
    IMPLEMENTATION = "IMPLEMENTATION"
    OPERATING = "OPERATING"
    EXITED = "EXITED"
    CANCELLED = "CANCELLED"


def status_shown(recorded: ProjectStatus, has_disbursement: bool) -> ProjectStatus:
    """The status a report shows: the recorded one, lifted from PIPELINE to IMPLEMENTATION when
    the ledger has a disbursement (money out means the project is at least being implemented).
    The recorded status is never changed; a later or CANCELLED status is shown as recorded."""
    if recorded is ProjectStatus.PIPELINE and has_disbursement:
        return ProjectStatus.IMPLEMENTATION
    return recorded


class Instrument(Coded):
    EQUITY = "EQUITY"
    LOAN = "LOAN"
    GRANT = "GRANT"


class TransactionType(Coded):
    COMMITMENT = "COMMITMENT"
    DISBURSEMENT = "DISBURSEMENT"
    REPAYMENT = "REPAYMENT"
    INCOME = "INCOME"
    PROCEEDS = "PROCEEDS"
    WRITE_OFF = "WRITE_OFF"


class PartyRole(Coded):
    SOURCE = "SOURCE"
    DESTINATION = "DESTINATION"
    OTHER = "OTHER"


class SharingMode(Coded):
    SPLIT = "SPLIT"
    DUAL_COUNT = "DUAL_COUNT"


class CapScope(Coded):
    AGREEMENT = "AGREEMENT"
    YEAR = "YEAR"


class AgreementStatus(Coded):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class QuarterState(Coded):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"
    CLOSED = "CLOSED"


class ReviewKind(Coded):
    REVIEWED = "REVIEWED"
    QUERY = "QUERY"


class ReversalStatus(Coded):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class SettlementState(Coded):
    COMPUTED = "COMPUTED"
    CONFIRMED = "CONFIRMED"


class NoticeLevel(Coded):
    CENTRAL = "CENTRAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"


class DifferenceReason(Coded):
    TIMING = "TIMING"
    REFUND_AFTER_CUTOFF = "REFUND_AFTER_CUTOFF"
    DISPUTE = "DISPUTE"
    ROUNDING = "ROUNDING"


class CatalogueList(Coded):
    """The three lists of a transfer guidance catalogue entry (catalogue.md)."""

    PRIORITY = "PRIORITY"
    ADJUST_EXIT = "ADJUST_EXIT"
    NO_LONGER = "NO_LONGER"


class ScreeningFlag(Coded):
    """A project's catalogue flag: a list, REVIEW (a person decides) or NONE (no entry)."""

    PRIORITY = "PRIORITY"
    ADJUST_EXIT = "ADJUST_EXIT"
    NO_LONGER = "NO_LONGER"
    REVIEW = "REVIEW"
    NONE = "NONE"


class ParkType(Coded):
    NATIONAL_ZONE = "NATIONAL_ZONE"
    PROVINCIAL_PARK = "PROVINCIAL_PARK"
    CO_BUILT = "CO_BUILT"
    ENCLAVE = "ENCLAVE"


class PartnerRole(Coded):
    SOURCE = "SOURCE"
    HOST = "HOST"
    CO_INVESTOR = "CO_INVESTOR"
    OPERATOR = "OPERATOR"


# Keyed by (class, value): members of different classes may share a value such as "OTHER".
_LABELS: dict[tuple[type, str], tuple[str, str]] = {
    (Role, "ADMIN"): ("管理员", "Administrator"),
    (Role, "FUND_MANAGER"): ("基金管理人", "Fund manager"),
    (Role, "FINANCE_BUREAU"): ("财政局", "Finance bureau"),
    (Role, "AUDITOR"): ("审计", "Auditor"),
    (MacroRegion, "EAST"): ("东部", "East"),
    (MacroRegion, "CENTRAL"): ("中部", "Central"),
    (MacroRegion, "WEST"): ("西部", "West"),
    (MacroRegion, "NORTHEAST"): ("东北", "North-east"),
    (FundClass, "INDUSTRIAL"): ("产业投资基金", "Industrial"),
    (FundClass, "VENTURE"): ("创业投资基金", "Venture"),
    (FundStatus, "FUNDRAISING"): ("募集期", "Fundraising"),
    (FundStatus, "INVESTING"): ("投资期", "Investing"),
    (FundStatus, "HARVESTING"): ("退出期", "Harvesting"),
    (FundStatus, "LIQUIDATED"): ("已清算", "Liquidated"),
    (InvestorType, "GOVERNMENT"): ("政府出资", "Government"),
    (InvestorType, "SOE"): ("国有企业", "State-owned enterprise"),
    (InvestorType, "FINANCIAL"): ("金融机构", "Financial institution"),
    (InvestorType, "PRIVATE"): ("社会资本", "Private"),
    (InvestorType, "OTHER"): ("其他", "Other"),
    (MovementType, "CAPITAL_CALL"): ("实缴出资", "Capital call"),
    (MovementType, "DISTRIBUTION"): ("收益分配", "Distribution"),
    (MovementType, "FEE"): ("管理费及费用", "Fee"),
    (Intensity, "LABOUR"): ("劳动密集型", "Labour-intensive"),
    (Intensity, "TECHNOLOGY"): ("技术密集型", "Technology-intensive"),
    (Intensity, "CAPITAL"): ("资本密集型", "Capital-intensive"),
    (Intensity, "PRODUCER_SERVICE"): ("生产性服务业", "Producer services"),
    (CooperationMode, "CHAIN_DOCKING"): ("产业链上下游对接", "Chain docking"),
    (CooperationMode, "TRUSTEESHIP"): ("托管", "Trusteeship"),
    (CooperationMode, "JOINT_PARK"): ("共建园区", "Joint park"),
    (CooperationMode, "TECH_TRANSFER"): ("飞地孵化", "Tech transfer"),
    (CooperationMode, "OTHER"): ("其他", "Other"),
    (ProjectStatus, "PIPELINE"): ("储备", "Pipeline"),
    (ProjectStatus, "IMPLEMENTATION"): ("在建", "Implementation"),
    (ProjectStatus, "OPERATING"): ("投产", "Operating"),
    (ProjectStatus, "EXITED"): ("已退出", "Exited"),
    (ProjectStatus, "CANCELLED"): ("已取消", "Cancelled"),
    (Instrument, "EQUITY"): ("股权", "Equity"),
    (Instrument, "LOAN"): ("贷款", "Loan"),
    (Instrument, "GRANT"): ("补助", "Grant"),
    (TransactionType, "COMMITMENT"): ("承诺", "Commitment"),
    (TransactionType, "DISBURSEMENT"): ("拨付", "Disbursement"),
    (TransactionType, "REPAYMENT"): ("还本", "Repayment"),
    (TransactionType, "INCOME"): ("收益", "Income"),
    (TransactionType, "PROCEEDS"): ("退出收入", "Proceeds"),
    (TransactionType, "WRITE_OFF"): ("核销", "Write-off"),
    (PartyRole, "SOURCE"): ("迁出地", "Source"),
    (PartyRole, "DESTINATION"): ("承接地", "Destination"),
    (PartyRole, "OTHER"): ("其他方", "Other"),
    (SharingMode, "SPLIT"): ("分成", "Split"),
    (SharingMode, "DUAL_COUNT"): ("双方计入（仅用于考核）", "Dual count (assessment only)"),
    (CapScope, "AGREEMENT"): ("协议期累计", "Agreement life"),
    (CapScope, "YEAR"): ("每年", "Per year"),
    (AgreementStatus, "DRAFT"): ("草案", "Draft"),
    (AgreementStatus, "ACTIVE"): ("生效", "Active"),
    (AgreementStatus, "ENDED"): ("终止", "Ended"),
    (QuarterState, "OPEN"): ("填报中", "Open"),
    (QuarterState, "SUBMITTED"): ("已提交", "Submitted"),
    (QuarterState, "CLOSED"): ("已关账", "Closed"),
    (ReviewKind, "REVIEWED"): ("已审核", "Reviewed"),
    (ReviewKind, "QUERY"): ("质询", "Query"),
    (ReversalStatus, "PENDING"): ("待批准", "Awaiting approval"),
    (ReversalStatus, "APPROVED"): ("已批准", "Approved"),
    (ReversalStatus, "REJECTED"): ("已驳回", "Rejected"),
    (SettlementState, "COMPUTED"): ("待确认", "Awaiting confirmation"),
    (SettlementState, "CONFIRMED"): ("双方已确认", "Confirmed"),
    (NoticeLevel, "CENTRAL"): ("财政部", "Central (Ministry of Finance)"),
    (NoticeLevel, "PROVINCIAL"): ("省级财政", "Provincial"),
    (NoticeLevel, "MUNICIPAL"): ("市级财政", "Municipal"),
    (DifferenceReason, "TIMING"): ("跨年入账", "Timing"),
    (DifferenceReason, "REFUND_AFTER_CUTOFF"): ("截止后退库", "Refund after the cut-off"),
    (DifferenceReason, "DISPUTE"): ("争议", "Dispute"),
    (DifferenceReason, "ROUNDING"): ("尾差", "Rounding"),
    (CatalogueList, "PRIORITY"): ("优先承接发展", "Priority to take on"),
    (CatalogueList, "ADJUST_EXIT"): ("引导逐步调整退出", "Adjust and exit"),
    (CatalogueList, "NO_LONGER"): ("引导不再承接", "No longer to take on"),
    (ScreeningFlag, "PRIORITY"): ("优先承接发展", "Priority to take on"),
    (ScreeningFlag, "ADJUST_EXIT"): ("引导逐步调整退出", "Adjust and exit"),
    (ScreeningFlag, "NO_LONGER"): ("引导不再承接", "No longer to take on"),
    (ScreeningFlag, "REVIEW"): ("待人工判定", "To be reviewed"),
    (ScreeningFlag, "NONE"): ("目录未列", "Not listed"),
    (ParkType, "NATIONAL_ZONE"): ("国家级承接产业转移示范区", "National demonstration zone"),
    (ParkType, "PROVINCIAL_PARK"): ("省级产业转移园区", "Provincial transfer park"),
    (ParkType, "CO_BUILT"): ("共建园区", "Co-built park"),
    (ParkType, "ENCLAVE"): ("飞地园区", "Enclave"),
    (PartnerRole, "SOURCE"): ("转出方", "Source"),
    (PartnerRole, "HOST"): ("承接方", "Host"),
    (PartnerRole, "CO_INVESTOR"): ("共同出资方", "Co-investor"),
    (PartnerRole, "OPERATOR"): ("运营方", "Operator"),
}
