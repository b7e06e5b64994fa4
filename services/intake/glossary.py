"""What the fields and parameters of intake's OpenAPI document mean, with realistic values (see common.contract)."""

from __future__ import annotations

from services.common.contract import ACCOUNT_ID, APPLICATION_ID, DOCUMENT_ID, FEE_ID, VISIT_ID, Term

GLOSSARY: dict[str, Term] = {
    # Accounts and tokens
    "username": Term("The name the account signs in with (case-insensitive).", "li.wei"),
    "password": Term("The account's password: at least 10 characters, not easily guessed.", "Jianye-road-2026"),
    "AccountCreate.name": Term("The applicant's name as it appears on the ID card.", "李伟"),
    "AccountRead.name": Term("The account holder's name.", "李伟"),
    "RegistrationRead.name": Term("The name the account was registered with.", "李伟"),
    "role": Term("What the account may do: applicant, staff, manager, regulator or admin.", "applicant"),
    "regions": Term("A regulator's scope: GB/T 2260 region-code prefixes, or `*` for everywhere.", ["32", "3201"]),
    "access_token": Term("A signed JWT (RS256) to send as `Authorization: Bearer <token>`.", "eyJhbGciOiJSUzI1NiJ9..."),
    "token_type": Term("Always `bearer`.", "bearer"),
    "expires_in": Term("Seconds until the token expires.", 3600),
    "grant_type": Term("OAuth2 grant type; `password` when sent.", "password"),
    "scope": Term("OAuth2 scopes; not used, every token carries its account's role.", ""),
    "client_id": Term("OAuth2 client id; not used.", "zerovisit-app"),
    "client_secret": Term("OAuth2 client secret; not used.", "unused"),
    "keys": Term("The public keys (JWK, RSA) that verify the tokens this service issues."),
    "AccountRead.id": Term("The account's id.", ACCOUNT_ID),
    # The case
    "customer_type": Term("Who the customer is.", "enterprise"),
    "small_micro": Term("Whether the customer is a small or micro enterprise (小微企业).", True),
    "business_type": Term("What the customer asks for.", "new_install"),
    "capacity_kva": Term("The capacity asked for, in kVA.", 100),
    "ApplicationRead.capacity_kva": Term("The capacity asked for, in kVA.", "100.00"),
    "ApplicationCaseShared.capacity_kva": Term("The capacity asked for, in kVA.", "100.00"),
    "ApplicationSubmitted.capacity_kva": Term("The capacity asked for, in kVA.", "100.00"),
    "dual_supply": Term("Whether the customer needs two independent sources of supply (双电源).", False),
    "important_customer": Term(
        "Whether the customer is an important customer (重要客户), whose high-voltage "
        "works the grid company reviews and inspects midway.",
        False,
    ),
    "region": Term("The premises' GB/T 2260 county-level region code.", "320102"),
    "address": Term("The premises' address.", "江苏省南京市玄武区中山路18号"),
    "contact_name": Term("Who the grid company's staff contact about the case.", "李伟"),
    "contact_phone": Term("The contact's mobile phone number (11 digits).", "13800138000"),
    "channel": Term("How the application was made: app, web, wechat, or at a service hall.", "app"),
    "document_ids": Term(
        "The ids of the documents supplied for this application; documents already on file "
        "and still valid are found without being listed.",
        [DOCUMENT_ID],
    ),
    "category": Term("The category the rule set places the case in.", "sme_lv"),
    "access_voltage": Term("Whether the case is connected at low or high voltage.", "low"),
    "zero_investment": Term("Whether the grid company pays for the meter box and everything above it (零投资).", True),
    "grid_company": Term("The grid company serving the region.", "SGCC-JS"),
    "rule_set": Term("The id of the rule set the case is judged by (the one in force on submission).", "2018-nea"),
    "allowed_visits": Term("How many trips to an office the category allows the customer.", 0),
    "total_limit_working_days": Term("The time limit of the whole process, in working days.", 25),
    "report_category": Term("The category of the half-yearly report the case counts in.", "sme_lv"),
    "ApplicationRead.id": Term("The application's id.", APPLICATION_ID),
    "number": Term("The application's number, quoted to the hotline and in lookups.", "ZV20261126A1B2C3D4E5F6"),
    "status": Term("Where the application stands.", "in_progress"),
    "due_on": Term("The day the whole process is due (Asia/Shanghai).", "2026-12-31"),
    "due_on_provisional": Term(
        "Whether the due day falls in a year whose holidays are not yet published "
        "(counted with weekends only until they are).",
        False,
    ),
    "submitted_at": Term("When the application was submitted (UTC).", "2026-11-26T02:00:00Z"),
    "evaluation_score": Term("The applicant's rating, 1 to 5, once connected; absent until rated.", 5),
    "steps": Term("The steps of the process, in order."),
    "documents": Term("The documents of the case."),
    "progress": Term("Where the case stands: current step, steps and timeline."),
    "required": Term("The document types the case requires.", ["business_license", "id_card", "property_certificate"]),
    "supplied": Term("The ids of the documents handed over for this application.", [DOCUMENT_ID]),
    "reused": Term(
        "The ids of documents already on file and still valid, taken without being asked for again.", [DOCUMENT_ID]
    ),
    "documents_required": Term("How many documents the case requires.", 3),
    "documents_supplied": Term("How many documents the customer handed over for this case.", 3),
    "documents_reused": Term("How many documents on file were reused.", 0),
    "documents_on_file": Term(
        "The required document types the caller already has on file and still valid.", ["id_card"]
    ),
    "required_documents": Term("The document types the case requires.", ["business_license", "id_card"]),
    "expected_connection_on": Term("The day the case would be connected if submitted today.", "2026-12-31"),
    "expected_connection_provisional": Term(
        "Whether that day is counted with weekends only (its year's holidays not yet published).", False
    ),
    "withdrawn_at": Term("When the application was withdrawn (UTC).", "2026-11-27T03:00:00Z"),
    "application_id": Term("The application's id.", APPLICATION_ID),
    "score": Term("The rating, 1 (poor) to 5 (very good).", 5),
    "comment": Term("What the applicant adds to the rating.", "办电很快，工作人员上门服务"),
    "evaluated_at": Term("When the applicant rated the service (UTC).", "2026-12-02T06:00:00Z"),
    # Steps and progress
    "code": Term("The step's code.", "accept"),
    "RegionRead.code": Term("The GB/T 2260 county-level region code.", "320102"),
    "name": Term("The step's name in Chinese.", "申请受理"),
    "RegionRead.name": Term("The region's name.", "玄武区"),
    "limit_working_days": Term("The step's time limit in working days.", 3),
    "started_at": Term("When the step started (UTC).", "2026-11-26T02:00:00Z"),
    "completed_at": Term("When the step was completed (UTC); absent while it is open.", "2026-11-27T08:30:00Z"),
    "connected_at": Term("When the case was connected (UTC).", "2026-12-01T07:00:00Z"),
    "current_step": Term("The step the case is at; absent once connected or withdrawn.", "accept"),
    "timeline": Term("What happened to the case, oldest first."),
    "at": Term("When it happened (UTC).", "2026-11-27T08:30:00Z"),
    "event": Term(
        "What happened: submitted, step_completed, paused, resumed, connected, withdrawn, ...", "step_completed"
    ),
    "step": Term("The step it concerns.", "accept"),
    "detail": Term("More about it, such as a pause's reason.", "customer_not_ready"),
    # Documents
    "type": Term("The kind of document.", "business_license"),
    "Body_upload_document.number": Term("The number printed on the document.", "91320102MA1X2Y3Z4W"),
    "DocumentRead.number": Term("The number printed on the document.", "91320102MA1X2Y3Z4W"),
    "CaseDocument.number": Term("The number printed on the document.", "91320102MA1X2Y3Z4W"),
    "valid_until": Term("The last day the document is valid; required for documents that expire.", "2031-12-31"),
    "DocumentRead.id": Term("The document's id.", DOCUMENT_ID),
    "CaseDocument.id": Term("The document's id.", DOCUMENT_ID),
    "document_id": Term("The document's id.", DOCUMENT_ID),
    "sha256": Term("The SHA-256 of the file, hex.", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    "size": Term("The file's size in bytes.", 482133),
    "media_type": Term("The file's type, judged by its content.", "application/pdf"),
    "uploaded_at": Term("When the file was uploaded (UTC).", "2026-11-26T01:45:00Z"),
    # Notifications
    "NotificationRead.id": Term("The notification's id.", 1024),
    "notification_id": Term("The notification's id.", 1024),
    "kind": Term("What the notification is about.", "step_completed"),
    "title": Term("The notification's title (zh-CN).", "受理完成"),
    "body": Term("The notification's text (zh-CN).", "您的用电申请 ZV20261126A1B2C3D4E5F6 已完成申请受理。"),
    "created_at": Term("When the notification was made (UTC).", "2026-11-27T08:30:01Z"),
    "read_at": Term("When the caller marked it read (UTC); absent while unread.", "2026-11-27T09:00:00Z"),
    "unread_count": Term("How many of the caller's notifications are unread.", 2),
    "unread": Term("Only unread notifications (true) or only read ones (false); all when absent.", True),
    "sms": Term("Whether to be told by SMS as well (held between 22:00 and 08:00 Beijing time).", True),
    "push": Term("Whether to be told by push notification as well.", True),
    # Regions
    "province": Term("The province-level region's name.", "江苏省"),
    "province_code": Term("The province-level region's GB/T 2260 code.", "320000"),
    # Parameters
    "on": Term("The day whose rule set applies (Asia/Shanghai); today when absent.", "2026-11-26"),
    "query.status": Term("Only applications with this status.", "in_progress"),
    "phone_last4": Term("The last four digits of the contact phone given on the application.", "8000"),
    "path.number": Term("The application's number.", "ZV20261126A1B2C3D4E5F6"),
    # Disputes, and the visits and fees they dispute
    "dispute_id": Term("The dispute's id.", "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"),
    "DisputeRead.id": Term("The dispute's id.", "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"),
    "record": Term("What is disputed: a visit or a fee recorded on the case.", "visit"),
    "record_id": Term("The id workflow gave the visit or fee.", VISIT_ID),
    "record_on": Term("The day of the disputed visit, or of the fee's recording (Asia/Shanghai).", "2026-11-26"),
    "disputed_at": Term("When the applicant raised the dispute (UTC).", "2026-11-27T03:00:00Z"),
    "DisputeCreate.reason": Term(
        "Why the record is wrong, in the applicant's words (1-500 characters).", "我没有去过营业厅。"
    ),
    "DisputeRead.reason": Term("Why the record is wrong, in the applicant's words.", "我没有去过营业厅。"),
    "ProgressVisit.id": Term("The id workflow gave the visit.", VISIT_ID),
    "ProgressVisit.visited_on": Term("The day of the visit (Asia/Shanghai).", "2026-11-26"),
    "ProgressVisit.purpose": Term("Why the customer had to come to an office.", "sign_contract"),
    "ProgressVisit.recorded_at": Term("When staff recorded the visit (UTC).", "2026-11-26T08:00:00Z"),
    "ProgressFee.id": Term("The id workflow gave the fee.", FEE_ID),
    "ProgressFee.amount_yuan": Term("The fee in yuan.", "0.00"),
    "ProgressFee.payer": Term("Who pays it.", "grid"),
    "ProgressFee.recorded_at": Term("When staff recorded the fee (UTC).", "2026-11-26T08:00:00Z"),
    "ProgressRead.visits": Term("The customer's trips to an office recorded on the case, oldest first."),
    "ProgressRead.fees": Term("The fees recorded on the case, oldest first."),
    # The supply contract
    "SignatureCreate.agree": Term("Must be true: the applicant agrees to the contract as served.", True),
    "signed_at": Term("When the contract was signed online (UTC).", "2026-11-27T02:30:00Z"),
    "SignatureRead.signer": Term("The applicant's registered name, as the contract prints it.", "李伟"),
    # The staff directory
    "account_id": Term("The account's id.", ACCOUNT_ID),
    "active": Term("Whether the account may sign in and be given work.", True),
    "revision": Term("Grows with every change of the account: the latest wins.", 2),
    "changed_at": Term("When the account changed (UTC).", "2026-11-26T02:00:00Z"),
    "DisputeRead.status": Term("Where the dispute stands: open until the grid company answers it.", "open"),
}
