"""What each notification says, in Chinese: data, filled with the case's number, step and due date."""

from __future__ import annotations

from typing import Final

# kind -> (title, body). Fields: {number}, {step} (the step's name), {next_step}, {due_on}, {reason},
# {amount_yuan}, {payer}, {visited_on}, {purpose}.
TEXTS: Final[dict[str, tuple[str, str]]] = {
    "job_created": (
        "申请已受理",
        "您的用电申请{number}已由供电企业受理，当前环节：{step}，预计{due_on}前完成。",
    ),
    "step_completed": (
        "环节已完成",
        "您的用电申请{number}已完成“{step}”环节，下一环节：{next_step}，预计{due_on}前完成。",
    ),
    "paused": (
        "办理已暂停",
        "您的用电申请{number}在“{step}”环节暂停办理，原因：{reason}。暂停期间不计入办理时限。",
    ),
    "resumed": (
        "办理已恢复",
        "您的用电申请{number}已恢复办理，当前环节：{step}，预计{due_on}前完成。",
    ),
    "fee_recorded": (
        "费用已登记",
        "您的用电申请{number}登记了一笔费用：{amount_yuan}元，由{payer}承担。",
    ),
    "visit_recorded": (
        "到场办理已登记",
        "您的用电申请{number}于{visited_on}登记了一次到场办理，事由：{purpose}。",
    ),
    "contract_ready": (
        "供用电合同待签署",
        "您的用电申请{number}已受理，供用电合同已生成。请在线查看并签署，无需前往营业厅。",
    ),
    "connected": (
        "已送电",
        "您的用电申请{number}已装表接电，感谢您的耐心。欢迎对本次服务进行评价。",
    ),
    "due_soon": (
        "即将到期",
        "您的用电申请{number}当前环节：{step}，办理时限将于{due_on}到期，供电企业正在办理。",
    ),
    "overdue": (
        "已超过办理时限",
        "您的用电申请{number}当前环节：{step}，已超过{due_on}的办理时限。如有疑问可拨打12398能源监管热线。",
    ),
}

# The SMS of each kind: short, one message, the case's number first. The signature (签名) opens every one,
# as the carriers require of a message sent on an organisation's behalf.
SMS_SIGNATURE: Final[str] = "【网上办电】"
SMS_TEXTS: Final[dict[str, str]] = {
    "job_created": "您的用电申请{number}已受理，当前环节：{step}，预计{due_on}前完成。",
    "step_completed": "您的用电申请{number}已完成“{step}”，下一环节：{next_step}，预计{due_on}前完成。",
    "paused": "您的用电申请{number}在“{step}”环节暂停办理，原因：{reason}。",
    "resumed": "您的用电申请{number}已恢复办理，当前环节：{step}，预计{due_on}前完成。",
    "fee_recorded": "您的用电申请{number}登记费用{amount_yuan}元，由{payer}承担。",
    "visit_recorded": "您的用电申请{number}于{visited_on}登记到场办理一次，事由：{purpose}。",
    "contract_ready": "您的用电申请{number}已受理，供用电合同已生成，请在线签署，无需前往营业厅。",
    "connected": "您的用电申请{number}已装表接电，欢迎在线评价本次服务。",
    "due_soon": "您的用电申请{number}当前环节：{step}，将于{due_on}到期。",
    "overdue": "您的用电申请{number}当前环节：{step}，已超过{due_on}的办理时限，可拨打12398反映。",
}

PAUSE_REASONS: Final[dict[str, str]] = {
    "customer_request": "应客户要求",
    "customer_not_ready": "客户受电工程未具备条件",
    "government_approval_pending": "等待政府审批",
}

PAYERS: Final[dict[str, str]] = {"customer": "客户", "grid": "供电企业"}

VISIT_PURPOSES: Final[dict[str, str]] = {
    "sign_contract": "签订合同",
    "submit_documents": "提交资料",
    "pay_fee": "缴纳费用",
    "site_matter": "现场事宜",
    "other": "其他",
}

# Shown where a field has no value (no next step after the last one).
NONE: Final[str] = "无"
