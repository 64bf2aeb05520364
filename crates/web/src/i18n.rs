//! The pages' language and the one table of their words. Chinese is the default; English is
//! chosen with `?lang=en`, which a cookie then remembers.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The language a page is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim() {
            "zh" | "zh-CN" | "zh-cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The words for `key`; an unknown key shows itself (a test keeps that from happening).
    pub fn t(self, key: impl AsRef<str>) -> &'static str {
        let key = key.as_ref();
        match table().get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing message");
                "?"
            }
        }
    }

    /// `key` with `{}` replaced by `arg`.
    pub fn tf(self, key: impl AsRef<str>, arg: impl std::fmt::Display) -> String {
        self.t(key).replacen("{}", &arg.to_string(), 1)
    }

    /// The half of a "中文 / English" message for this language.
    pub fn pick(self, bilingual: &str) -> &str {
        match (self, bilingual.split_once(" / ")) {
            (Lang::Zh, Some((zh, _))) => zh,
            (Lang::En, Some((_, en))) => en,
            (_, None) => bilingual,
        }
    }

    /// A state, action, role, event… by its stable name: `named("state", "handling")`.
    pub fn named(self, kind: &str, name: impl AsRef<str>) -> &'static str {
        self.t(format!("{kind}.{}", name.as_ref()))
    }
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        MESSAGES
            .iter()
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

/// Every word of the pages: key, 中文, English.
pub(crate) static MESSAGES: &[(&str, &str, &str)] = &[
    // Layout
    (
        "app.name",
        "联动政务服务平台",
        "Liandong Government Services",
    ),
    ("app.short", "联动", "Liandong"),
    ("nav.home", "首页", "Home"),
    ("nav.workbench", "窗口工作台", "Window workbench"),
    ("nav.inbox", "待办", "Inbox"),
    ("nav.cases", "办件", "Cases"),
    ("nav.guide", "办事指南", "Service guide"),
    ("nav.progress", "办件查询", "Progress lookup"),
    ("nav.staff", "人员管理", "Staff"),
    ("nav.reform", "改革报告", "Reform report"),
    ("nav.sign_in", "工作人员登录", "Staff sign-in"),
    ("nav.sign_out", "退出", "Sign out"),
    ("nav.skip", "跳到正文", "Skip to content"),
    ("nav.switch_lang", "English", "中文"),
    ("nav.main", "主导航", "Main navigation"),
    (
        "footer.text",
        "三级联动政务服务平台 · 开源软件 Apache-2.0",
        "Three-level linked government service platform · open source, Apache-2.0",
    ),
    // Common
    ("common.search", "查询", "Search"),
    ("common.filter", "筛选", "Filter"),
    ("common.previous", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.page_of", "第{}页", "Page {}"),
    ("common.total", "共{}条", "{} in all"),
    ("common.none", "暂无记录", "Nothing here"),
    ("common.all", "全部", "All"),
    ("common.save", "保存", "Save"),
    ("common.print", "打印", "Print"),
    ("common.back", "返回", "Back"),
    ("common.comment", "备注（选填）", "Comment (optional)"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.working_days", "{}个工作日", "{} working days"),
    (
        "common.provisional",
        "（暂定，待国务院节假日通知）",
        "(provisional until the holiday notice)",
    ),
    ("common.from", "起", "From"),
    ("common.to", "止", "To"),
    // Errors
    (
        "error.too_large",
        "文件过大，请拆分后再上传",
        "The file is too large; split it and send the parts",
    ),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.not_found",
        "未找到该页面或办件",
        "Page or case not found",
    ),
    (
        "error.not_found_detail",
        "地址有误，或您无权查看该办件。",
        "The address is wrong, or you may not see this case.",
    ),
    ("error.forbidden", "无权进行此操作", "Not allowed"),
    (
        "error.csrf",
        "表单已失效，请返回刷新页面后重新提交。",
        "The form has expired: go back, reload the page and submit again.",
    ),
    (
        "error.conflict",
        "此办件已被他人修改，请查看最新状态后再办理。",
        "Someone else changed this case: check its current state and act again.",
    ),
    (
        "error.unavailable",
        "服务暂时不可用，请稍后重试。",
        "The service is unavailable; try again later.",
    ),
    (
        "error.invalid",
        "输入有误，请检查标出的字段。",
        "Please correct the fields marked.",
    ),
    ("error.go_home", "回到首页", "Back to the home page"),
    // Sign-in
    ("login.title", "工作人员登录", "Staff sign-in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.bad",
        "用户名或密码错误。",
        "Wrong username or password.",
    ),
    (
        "login.locked",
        "登录失败次数过多，账号已暂时锁定，请{}分钟后再试或联系管理员。",
        "Too many failed sign-ins: the account is locked. Try again in {} minutes or ask an administrator.",
    ),
    ("login.signed_out", "您已退出登录。", "You have signed out."),
    ("login.public", "办事群众请使用", "Applicants: use"),
    // Home
    ("home.welcome", "您好，{}", "Hello, {}"),
    (
        "home.public_title",
        "三级联动 · 一网通办",
        "Three levels, one network",
    ),
    (
        "home.public_lead",
        "区行政审批服务大厅、镇街便民服务中心、村居便民服务站一网办理。",
        "The district hall, the township centers and the village stations handle applications as one network.",
    ),
    (
        "home.guide_lead",
        "查看每个事项的申请材料、收费、时限和办理地点。",
        "Materials, fees, time limits and where to apply, for every item.",
    ),
    (
        "home.progress_lead",
        "凭办件编号和身份证件号码或手机号码后六位查询进度。",
        "Follow an application with its number and the last six characters of your ID or phone.",
    ),
    ("home.today_received", "今日收件", "Received today"),
    ("home.open", "在办", "Open"),
    ("home.overdue", "已超期", "Overdue"),
    (
        "home.queue_today",
        "本单位今日收件",
        "Received at my unit today",
    ),
    ("home.due_soon", "即将到期的待办", "Due soon in my inbox"),
    ("home.start_intake", "开始收件", "Take in an application"),
    ("home.unit_counts", "本单位今日概况", "My unit today"),
    ("home.admin", "管理", "Administration"),
    // Case lists
    ("cases.title", "办件列表", "Cases"),
    ("cases.number", "办件编号", "Case number"),
    ("nav.consultations", "网上咨询", "Consultations"),
    ("nav.renewals", "证照到期", "Renewals"),
    (
        "renewals.hint",
        "本部门签发、即将到期或30天内已过期的证照。持证人应于有效期届满30日前申请延续（《行政许可法》第五十条）；系统按设定提前发送到期提醒短信，每证一次。",
        "Certificates of this department near or lately past their last day. Holders apply to renew 30 days before expiry (Administrative Licensing Law Art 50); the system reminds each holder once by SMS.",
    ),
    (
        "renewals.none",
        "暂无需要延续的证照。",
        "No certificates are due for renewal.",
    ),
    ("renewals.certificate", "证照", "Certificate"),
    ("renewals.holder", "持证人", "Holder"),
    ("renewals.apply_by", "延续申请截止", "Apply to renew by"),
    ("renewals.reminded", "到期提醒", "Reminded"),
    ("renewals.phone", "联系电话", "Phone"),
    (
        "renewals.no_mobile",
        "非手机号，未发短信，请电话联系",
        "no mobile number: call",
    ),
    ("renewals.not_yet", "未提醒", "not yet"),
    ("renewal.not_due", "未到期", "not due"),
    ("renewal.due", "应申请延续", "due for renewal"),
    ("renewal.late", "已过延续申请期限", "past the date to apply"),
    ("renewal.expired", "已过期", "expired"),
    ("consultation_state.asked", "待答复", "Awaiting answer"),
    ("consultation_state.answered", "已答复", "Answered"),
    ("consultation_state.withdrawn", "已撤回", "Withdrawn"),
    ("consultation_state.declined", "不予答复", "Declined"),
    ("consult.ask", "我要咨询", "Ask a question"),
    ("consult.mine", "我的咨询", "My questions"),
    (
        "consult.lead",
        "问题由该事项的主管部门在{}个工作日内答复，答复后以短信告知；部门可将有普遍意义的问答公开（姓名、电话隐去）。",
        "The item's department answers within {} working days and tells you by SMS; it may publish questions of general interest (name and phone hidden).",
    ),
    ("consult.name", "咨询人姓名", "Your name"),
    ("consult.title_field", "标题", "Title"),
    ("consult.text", "咨询内容", "Your question"),
    (
        "consult.anonymous",
        "公开时不显示我的姓名和电话",
        "Do not show my name and phone if published",
    ),
    (
        "consult.anonymous_short",
        "要求匿名公开",
        "anonymous if published",
    ),
    ("consult.send", "提交咨询", "Send the question"),
    (
        "consult.none",
        "您还没有提交过咨询。",
        "You have not asked anything yet.",
    ),
    ("consult.due", "答复期限", "Answer due"),
    ("consult.answer", "答复：", "Answer:"),
    ("consult.withdraw", "撤回咨询", "Withdraw the question"),
    ("consult.open", "待答复", "Awaiting answer"),
    ("consult.all", "全部", "All"),
    (
        "consult.none_here",
        "没有需要答复的咨询。",
        "No questions to answer.",
    ),
    ("consult.asked", "提问时间", "Asked"),
    ("consult.public", "已公开", "Public"),
    ("consult.do_answer", "答复", "Answer"),
    ("consult.amend", "修改答复", "Amend the answer"),
    ("consult.reason", "理由", "Reason"),
    ("consult.preview", "公开后显示为", "Published as"),
    ("consult.publish", "公开此问答", "Publish"),
    ("consult.unpublish", "取消公开", "Take down"),
    ("consult.forward", "转办", "Forward"),
    (
        "consult.forward_item",
        "应属事项编码",
        "The right item's code",
    ),
    ("consult.decline", "不予答复", "Decline"),
    (
        "consult.published",
        "网上咨询（已公开的问答）",
        "Questions and answers",
    ),
    (
        "consult.none_published",
        "暂无公开的问答。",
        "No published answers yet.",
    ),
    ("nav.online", "网上办事", "Apply online"),
    (
        "home.online_lead",
        "用手机验证码登录，网上申请、补正、查看自己的办件",
        "Sign in with an SMS code: apply, supplement and follow your cases online",
    ),
    ("online.title", "网上办事大厅", "Online services"),
    (
        "online.lead",
        "用手机号码和短信验证码登录，即可网上申请事项、上传材料、补正材料，并查看以本手机号码申请的全部办件。",
        "Sign in with your mobile number and an SMS code to apply, upload and supplement materials, and see every case made under your number.",
    ),
    ("online.phone", "手机号码", "Mobile number"),
    ("online.send_code", "获取验证码", "Send me a code"),
    (
        "online.code",
        "短信验证码（6位数字）",
        "SMS code (6 digits)",
    ),
    ("online.sign_in", "登录", "Sign in"),
    (
        "online.code_sent",
        "验证码已发送至{phone}，{minutes}分钟内有效。",
        "A code was sent to {phone}; it is valid for {minutes} minutes.",
    ),
    (
        "online.privacy",
        "验证码仅用于本次登录，工作人员不会向您索要验证码。",
        "The code is for this sign-in only; staff will never ask you for it.",
    ),
    ("online.my_cases", "我的办件", "My cases"),
    ("online.signed_in_as", "已登录：", "Signed in as"),
    (
        "online.apply_new",
        "我要申请（查找事项）",
        "Apply for an item",
    ),
    (
        "online.no_cases",
        "以本手机号码申请的办件将显示在这里。",
        "Cases made under your number appear here.",
    ),
    ("online.apply", "网上申请", "Apply online"),
    ("online.apply_button", "网上申请", "Apply online"),
    (
        "online.apply_lead",
        "请填写申请人信息并上传各项材料的扫描件或照片（PDF、JPEG或PNG，每个文件不超过{} MB）。窗口预审后以短信告知结果。",
        "Fill in the applicant and upload a scan or photo of each material (PDF, JPEG or PNG, at most {} MB each). The window examines it and tells you by SMS.",
    ),
    (
        "online.id_number",
        "身份证号码或统一社会信用代码",
        "Resident ID or unified social credit code",
    ),
    ("online.township", "所在镇街", "Your township"),
    ("online.required", "必交", "required"),
    ("online.optional", "选交", "optional"),
    ("online.submit", "提交申请", "Submit the application"),
    (
        "online.supplement_needed",
        "请一次性补正以下材料",
        "Please supply the following, all at once",
    ),
    ("online.supplement", "补正材料", "Supply materials"),
    ("online.asked", "需补正", "asked for"),
    (
        "online.submit_supplement",
        "提交补正材料",
        "Send the materials",
    ),
    ("online.where", "办理情况", "Where it stands"),
    ("online.files", "已上传的材料", "Uploaded materials"),
    (
        "online.no_files",
        "本办件没有网上上传的材料。",
        "No materials were uploaded online for this case.",
    ),
    ("online.messages", "短信通知", "SMS notices"),
    (
        "online.no_messages",
        "暂无短信通知。",
        "No SMS notices yet.",
    ),
    ("online.withdraw", "撤回申请", "Withdraw the application"),
    (
        "online.withdraw_reason",
        "撤回理由",
        "Reason for withdrawing",
    ),
    (
        "case.files",
        "申请人上传的材料",
        "Materials uploaded by the applicant",
    ),
    ("cases.item", "事项", "Item"),
    ("cases.applicant", "申请人", "Applicant"),
    ("cases.state", "状态", "State"),
    ("cases.received_at", "收件时间", "Received"),
    ("cases.due_at", "办结时限", "Due"),
    ("cases.remaining", "剩余", "Left"),
    ("cases.level", "预警", "Warning"),
    (
        "cases.q",
        "编号、申请人姓名或证件号码",
        "Number, applicant name or ID number",
    ),
    ("cases.open_only", "只看在办", "Open only"),
    ("cases.overdue_only", "只看超期", "Overdue only"),
    ("inbox.title", "待办", "Inbox"),
    (
        "inbox.lead",
        "等待您所在环节办理的办件，按剩余工作日排序。",
        "Cases waiting for your step, the least time left first.",
    ),
    (
        "inbox.no_roles",
        "您的角色没有待办环节。",
        "Your roles have no step to work on.",
    ),
    ("level.green", "正常", "On time"),
    ("level.yellow", "预警", "Near due"),
    ("level.red", "超期", "Overdue"),
    ("remaining.days", "{}个工作日", "{} working days"),
    ("remaining.over", "超期{}个工作日", "{} working days over"),
    ("remaining.none", "—", "—"),
    // Case page
    ("case.title", "办件 {}", "Case {}"),
    ("case.applicant", "申请人", "Applicant"),
    ("case.id_number", "证件号码", "ID number"),
    ("case.phone", "联系电话", "Phone"),
    ("case.channel", "收件渠道", "Channel"),
    ("case.item", "事项", "Item"),
    ("case.state", "当前状态", "State"),
    (
        "case.by_applicant_online",
        "申请人（网上）",
        "The applicant, online",
    ),
    ("case.received", "收件时间", "Received"),
    ("case.accepted", "受理时间", "Accepted"),
    ("case.due", "办结时限", "Due"),
    ("case.step_due", "本环节时限", "This step is due"),
    ("case.limit", "承诺时限", "Committed limit"),
    ("case.used", "已用", "Used"),
    ("case.materials", "材料", "Materials"),
    ("case.material_received", "已收", "Received"),
    ("case.material_missing", "未收", "Missing"),
    ("case.material_optional", "选交", "optional"),
    ("case.timeline", "办理过程", "Timeline"),
    ("case.actions", "可办理的操作", "What can be done now"),
    (
        "case.no_actions",
        "此办件已结束，无可办理的操作。",
        "This case is closed: nothing more can be done.",
    ),
    ("case.version", "版本", "Version"),
    ("case.prints", "打印文书：", "Notices to print: "),
    ("case.done", "已办理：{}", "Done: {}"),
    ("case.paused", "计时已暂停", "The clock is stopped"),
    ("field.reason", "理由", "Reason"),
    ("field.legal_basis", "法律依据", "Legal basis"),
    (
        "field.missing",
        "需补正的材料（每行一项）",
        "Materials to supply (one per line)",
    ),
    (
        "field.received",
        "收到的材料（每行一项）",
        "Materials received (one per line)",
    ),
    ("field.opinion", "意见", "Opinion"),
    ("field.delivery", "送达方式", "Delivery"),
    (
        "field.delivery_default",
        "窗口领取",
        "collected at the window",
    ),
    ("field.return_to", "退回到", "Return to"),
    ("field.procedure", "特别程序", "Procedure"),
    ("field.stated_days", "所需工作日", "Working days needed"),
    ("field.result", "结果", "Result"),
    ("field.days", "延期工作日", "Extra working days"),
    (
        "field.unparsed",
        "请按要求填写（数字或列表中的一项）",
        "enter a number, or one of the choices",
    ),
    // Actions, states, steps, roles, channels, events, procedures
    ("action.accept", "受理", "Accept"),
    ("action.refuse_intake", "不予受理", "Refuse intake"),
    (
        "action.request_supplement",
        "一次性告知补正",
        "One-time supplement notice",
    ),
    ("action.supplement", "补正材料", "Materials supplied"),
    ("action.handle", "承办", "Handle"),
    ("action.review", "审核", "Review"),
    ("action.approve", "批准", "Approve"),
    ("action.deny", "不予许可", "Deny"),
    ("action.conclude", "办结", "Conclude"),
    (
        "action.conclude_on_the_spot",
        "当场办结",
        "Conclude on the spot",
    ),
    ("action.return", "退回", "Return"),
    (
        "action.start_special_procedure",
        "启动特别程序",
        "Start a special procedure",
    ),
    (
        "action.end_special_procedure",
        "结束特别程序",
        "End the special procedure",
    ),
    ("action.grant_extension", "批准延期", "Grant an extension"),
    ("action.withdraw", "撤回申请", "Withdraw"),
    ("state.submitted", "待受理", "Submitted"),
    ("state.awaiting_supplement", "待补正", "Awaiting supplement"),
    ("state.handling", "承办中", "Handling"),
    ("state.reviewing", "审核中", "Reviewing"),
    ("state.deciding", "待批准", "Deciding"),
    ("state.special_procedure", "特别程序中", "Special procedure"),
    ("state.decided", "已决定待送达", "Decided, to deliver"),
    ("state.concluded", "已办结", "Concluded"),
    ("state.refused", "不予受理", "Refused"),
    ("state.withdrawn", "已撤回", "Withdrawn"),
    ("outcome.approved", "准予许可", "Approved"),
    ("outcome.denied", "不予许可", "Denied"),
    ("step.handle", "承办", "Handling"),
    ("step.review", "审核", "Review"),
    ("step.approve", "批准", "Decision"),
    ("role.window_clerk", "窗口受理人员", "Window clerk"),
    ("role.handling_officer", "承办人", "Handling officer"),
    ("role.reviewer", "审核人", "Reviewer"),
    ("role.approver", "批准人", "Approver"),
    ("role.unit_admin", "单位管理员", "Unit administrator"),
    ("role.supervisor", "监察人员", "Supervisor"),
    ("role.system_admin", "系统管理员", "System administrator"),
    ("channel.window", "窗口", "Window"),
    ("channel.online", "网上", "Online"),
    ("channel.proxy", "代办", "Proxy"),
    ("event.received", "收件", "Received"),
    ("event.accepted", "受理", "Accepted"),
    ("event.intake_refused", "不予受理", "Intake refused"),
    (
        "event.supplement_requested",
        "一次性告知补正",
        "Supplement requested",
    ),
    ("event.supplemented", "补正材料", "Materials supplied"),
    ("event.handled", "承办", "Handled"),
    ("event.reviewed", "审核", "Reviewed"),
    ("event.approved", "批准", "Approved"),
    ("event.denied", "不予许可", "Denied"),
    ("event.concluded", "办结", "Concluded"),
    ("event.returned", "退回", "Returned"),
    (
        "event.special_procedure_started",
        "启动特别程序",
        "Special procedure started",
    ),
    (
        "event.special_procedure_ended",
        "结束特别程序",
        "Special procedure ended",
    ),
    ("event.extension_granted", "批准延期", "Extension granted"),
    ("event.withdrawn", "撤回", "Withdrawn"),
    ("procedure.hearing", "听证", "Hearing"),
    ("procedure.tender", "招标", "Tender"),
    ("procedure.auction", "拍卖", "Auction"),
    ("procedure.inspection", "检验", "Inspection"),
    ("procedure.testing", "检测", "Testing"),
    ("procedure.quarantine", "检疫", "Quarantine"),
    ("procedure.appraisal", "鉴定", "Appraisal"),
    ("procedure.expert_review", "专家评审", "Expert review"),
    (
        "level_kind.district_hall",
        "区行政审批服务大厅",
        "District approval hall",
    ),
    ("level_kind.branch_hall", "分厅", "Branch hall"),
    (
        "level_kind.township_center",
        "镇街便民服务中心",
        "Township service center",
    ),
    (
        "level_kind.village_station",
        "村居便民服务站",
        "Village service station",
    ),
    ("kind.licence", "行政许可", "Administrative licence"),
    ("kind.public_service", "公共服务", "Public service"),
    ("form.original", "原件", "original"),
    ("form.copy", "复印件", "copy"),
    // Workbench
    ("wb.title", "窗口工作台", "Window workbench"),
    (
        "wb.search_label",
        "事项名称、编码或拼音首字母",
        "Item name, code or pinyin initials",
    ),
    (
        "wb.search_hint",
        "如“食品经营”、XK00001000 或 spjy",
        "e.g. 食品经营, XK00001000 or spjy",
    ),
    ("wb.pick", "选择", "Choose"),
    ("wb.on_the_spot", "即办件", "On the spot"),
    ("wb.intake_title", "收件：{}", "Intake: {}"),
    (
        "wb.materials",
        "核对材料（已收请勾选）",
        "Check the materials handed in",
    ),
    ("wb.required", "必交", "required"),
    ("wb.applicant_type", "申请人类型", "Applicant type"),
    ("wb.person", "自然人", "Person"),
    ("wb.organisation", "法人或其他组织", "Organisation"),
    ("wb.name", "申请人姓名或名称", "Applicant's name"),
    (
        "wb.id_number",
        "身份证号码或统一社会信用代码",
        "Resident ID or unified social credit code",
    ),
    (
        "wb.id_hint",
        "18位，末位可为X",
        "18 characters; the last may be X",
    ),
    ("wb.id_ok", "号码校验通过", "The number checks out"),
    (
        "wb.id_bad",
        "号码校验未通过，请核对",
        "The number does not check out",
    ),
    ("wb.phone", "手机号码", "Mobile phone"),
    ("wb.decision", "受理决定", "Decision"),
    ("wb.accept", "受理", "Accept"),
    (
        "wb.supplement",
        "出具一次性告知书",
        "Issue the one-time supplement notice",
    ),
    (
        "wb.supplement_extra",
        "其他需补正的内容（选填，每行一项）",
        "Anything else to supply (optional, one per line)",
    ),
    ("wb.refuse", "不予受理", "Refuse"),
    (
        "wb.on_the_spot_conclude",
        "当场办结",
        "Conclude on the spot",
    ),
    (
        "wb.keys",
        "快捷键：Alt+S 搜索，Alt+A 受理，Alt+B 告知补正，Alt+R 不予受理，Alt+D 当场办结",
        "Keys: Alt+S search, Alt+A accept, Alt+B supplement notice, Alt+R refuse, Alt+D conclude on the spot",
    ),
    ("wb.statutory", "法定时限", "Statutory limit"),
    ("wb.committed", "承诺时限", "Committed limit"),
    // Print
    ("print.acceptance", "受理通知书", "Notice of acceptance"),
    (
        "print.supplement",
        "一次性告知书",
        "One-time supplement notice",
    ),
    ("print.refusal", "不予受理通知书", "Notice of refusal"),
    ("print.conclusion", "办结通知书", "Notice of conclusion"),
    (
        "print.acceptance_body",
        "您提交的申请材料齐全、符合法定形式，本机关决定予以受理。",
        "Your application is complete and in the lawful form: this office accepts it.",
    ),
    (
        "print.supplement_body",
        "您提交的申请材料不齐全或者不符合法定形式，请一次性补正以下材料：",
        "Your application is incomplete or not in the lawful form. Please supply, at once, the following:",
    ),
    (
        "print.refusal_body",
        "经审查，您的申请不属于本机关受理范围或不符合受理条件，决定不予受理。",
        "Having examined it, this office does not accept your application.",
    ),
    (
        "print.conclusion_body",
        "您申请的事项已办结。",
        "Your application is concluded.",
    ),
    (
        "print.due",
        "本机关将于{}前作出决定。",
        "This office will decide by {}.",
    ),
    (
        "print.appeal",
        "如不服本决定，可依法申请行政复议或者提起行政诉讼。",
        "You may apply for administrative reconsideration or bring an administrative suit against this decision.",
    ),
    ("print.seal", "（盖章）", "(seal)"),
    ("print.date", "日期", "Date"),
    ("print.unit", "办理单位", "Office"),
    // Guide
    ("guide.title", "办事指南", "Service guide"),
    (
        "guide.lead",
        "全区审批服务事项，可按名称、编码或拼音首字母查找。",
        "The district's service items: search by name, code or pinyin initials.",
    ),
    ("guide.department", "实施部门", "Department"),
    ("guide.kind", "事项类型", "Kind"),
    ("guide.where", "办理地点", "Where to apply"),
    (
        "guide.proxy",
        "可在村居便民服务站申请代办",
        "Village stations take it by proxy",
    ),
    ("guide.materials", "申请材料", "Materials"),
    ("guide.fees", "收费", "Fees"),
    ("guide.no_fee", "不收费", "Free of charge"),
    ("guide.statutory", "法定办结时限", "Statutory limit"),
    ("guide.committed", "承诺办结时限", "Committed limit"),
    ("guide.same_day", "当场办结", "Concluded on the spot"),
    ("guide.basis", "设定依据", "Legal basis"),
    ("guide.steps", "办理流程", "Procedure"),
    ("guide.prerequisites", "前置事项", "Prerequisites"),
    ("guide.version", "版本", "Version"),
    ("guide.count", "份数", "Copies"),
    ("guide.yuan", "{}元", "CNY {}"),
    ("guide.history", "版本历史", "Version history"),
    // Progress lookup
    ("progress.title", "办件查询", "Progress lookup"),
    (
        "progress.lead",
        "请输入办件编号，以及申请人身份证件号码或手机号码的后六位。",
        "Enter the case number and the last six characters of the applicant's ID number or phone.",
    ),
    ("progress.number", "办件编号", "Case number"),
    (
        "progress.check",
        "证件号码或手机号码后六位",
        "Last six characters of ID or phone",
    ),
    ("progress.submit", "查询", "Look up"),
    (
        "progress.not_found",
        "未找到与该办件编号和校验码相符的办件。",
        "No case matches this number and check code.",
    ),
    (
        "progress.locked",
        "查询失败次数过多，请{}分钟后再试，或持身份证件到窗口查询。",
        "Too many failed lookups: try again in {} minutes, or ask at a window with your ID.",
    ),
    ("progress.where", "办理单位", "Handled at"),
    ("progress.received_at", "收件单位", "Handed in at"),
    // Admin
    ("staff.title", "人员管理", "Staff"),
    ("staff.new", "新增人员", "New account"),
    ("staff.edit", "修改账号：{}", "Account: {}"),
    ("staff.username", "用户名", "Username"),
    ("staff.display_name", "姓名", "Name"),
    ("staff.unit", "单位", "Unit"),
    ("staff.department", "部门", "Department"),
    ("staff.no_department", "（无）", "(none)"),
    ("staff.roles", "角色", "Roles"),
    (
        "staff.phone",
        "工作手机（接收预警短信）",
        "Work mobile (for warning SMS)",
    ),
    ("staff.active", "启用", "Enabled"),
    ("staff.disabled", "已停用", "Disabled"),
    (
        "staff.password",
        "初始密码（至少8位）",
        "Initial password (8 characters or more)",
    ),
    (
        "staff.new_password",
        "重置密码（留空则不变）",
        "Reset the password (leave empty to keep it)",
    ),
    (
        "staff.saved",
        "已保存。该账号需重新登录。",
        "Saved. The account must sign in again.",
    ),
    ("staff.created", "账号已创建。", "The account is created."),
    ("item.history", "事项版本历史：{}", "Item history: {}"),
    ("item.effective_from", "生效日期", "In force from"),
    ("item.recorded_at", "记录时间", "Recorded"),
    ("item.cancelled", "已取消", "Cancelled"),
    ("item.changes", "内容", "Content"),
    (
        "reform.title",
        "“四减一压缩”改革报告",
        "Reform report (four reductions, one compression)",
    ),
    ("reform.from", "起始日期", "From"),
    ("reform.to", "截止日期", "To"),
    ("reform.metric", "指标", "Measure"),
    ("reform.before", "期初", "Before"),
    ("reform.after", "期末", "After"),
    ("reform.items", "事项总数", "Items"),
    ("reform.cancelled", "减少项目", "Items cancelled"),
    ("reform.added", "新增项目", "Items added"),
    (
        "reform.fewer_steps",
        "减少环节（事项 / 环节）",
        "Fewer steps (items / steps)",
    ),
    (
        "reform.fewer_materials",
        "减少材料（事项 / 材料）",
        "Fewer materials (items / materials)",
    ),
    (
        "reform.fewer_prerequisites",
        "减少前置（事项 / 前置）",
        "Fewer prerequisites (items / prerequisites)",
    ),
    (
        "reform.shorter",
        "压缩时限（事项 / 工作日）",
        "Shorter limits (items / working days)",
    ),
    ("reform.on_the_spot", "即办件", "On-the-spot items"),
    ("reform.show", "生成报告", "Show the report"),
    // Organization, item editing, calendar
    ("nav.organization", "组织机构", "Organization"),
    ("nav.calendar", "工作日历", "Calendar"),
    ("org.title", "组织机构", "Organization"),
    ("org.units", "单位", "Units"),
    ("org.departments", "进驻部门", "Departments"),
    ("org.windows", "窗口", "Windows"),
    ("org.code", "代码", "Code"),
    ("org.name", "名称", "Name"),
    ("org.number", "窗口号", "Window"),
    ("org.kind", "类型", "Kind"),
    ("org.serves", "受理部门", "Departments served"),
    ("disclosure.title", "办件公示", "Monthly disclosure"),
    (
        "disclosure.lead",
        "各部门每月收件、办结、按时办结率和即办率，按月公示，接受社会监督。",
        "Each department's cases per month — received, concluded, on-time and on-the-spot rates — published for all to see.",
    ),
    ("disclosure.month", "月份", "Month"),
    (
        "disclosure.to_date",
        "（本月截至今日）",
        "(this month, to date)",
    ),
    ("disclosure.district", "全区合计", "The district"),
    (
        "disclosure.note",
        "按时办结：在承诺时限内作出决定（延期依法计入）；即办：当场受理、当场办结。",
        "On time: decided within the committed limit (lawful extensions counted); on the spot: accepted and concluded at once.",
    ),
    ("nav.disclosure", "办件公示", "Disclosure"),
    ("finding.case_overdue", "办件超期", "Case overdue"),
    ("finding.step_overdue", "环节超时", "Step overdue"),
    (
        "finding.step_out_of_order",
        "环节顺序异常",
        "Step out of order",
    ),
    (
        "finding.pause_too_long",
        "特别程序超时",
        "Special procedure too long",
    ),
    (
        "finding.supplement_repeated",
        "多次补正告知",
        "Supplement notice repeated",
    ),
    (
        "finding.left_untouched",
        "受理后未办理",
        "Left untouched after acceptance",
    ),
    (
        "finding.refusal_without_grounds",
        "拒绝理由或依据不全",
        "Refusal without grounds",
    ),
    (
        "finding.intake_refused",
        "不予受理审查",
        "Intake refused (review)",
    ),
    ("finding.denied", "不予许可审查", "Denied (review)"),
    (
        "finding.returns_repeated",
        "同一环节多次退回",
        "Returns repeated",
    ),
    (
        "finding.suspended",
        "暂停计时审查",
        "Clock stopped (review)",
    ),
    ("finding.terminated", "终止办理审查", "Terminated (review)"),
    (
        "finding.fee_off_standard",
        "违规收费",
        "Fee off its standard",
    ),
    (
        "finding.fees_unreconciled",
        "应收实收不符",
        "Fees unreconciled",
    ),
    ("evaluation.title", "绩效评估", "Performance evaluation"),
    (
        "evaluation.lead",
        "各窗口、部门、分厅、镇街便民服务中心的月度得分：九项基本分（按时办结、规范办理、收费、监察发现、窗口出勤等）减去黄牌、红牌，加上提速奖励；每一分都有依据。",
        "The month of each window, department, branch hall and township center: nine weighted parts (time limits, procedure, fees, supervision findings, window attendance…), less yellow and red cards, plus the bonuses; every point explained.",
    ),
    ("evaluation.windows", "窗口", "Windows"),
    ("evaluation.best_window", "优秀窗口", "Best window"),
    ("evaluation.summoned", "约谈", "Summoned for a talk"),
    ("evaluation.quarter", "季度", "Quarter"),
    ("evaluation.month_view", "月度评估", "Monthly"),
    ("evaluation.quarter_view", "季度评估", "Quarterly"),
    (
        "evaluation.quarter_lead",
        "季度得分为各月得分的平均值；优秀 ≥ 90、良好 ≥ 80、合格 ≥ 60，不合格的须提出监察建议。",
        "A quarter's score is the mean of its months: excellent ≥ 90, good ≥ 80, pass ≥ 60; a fail calls for a supervision proposal.",
    ),
    ("evaluation.quarter_score", "季度得分", "Quarter score"),
    ("evaluation.months_scored", "计分月数", "Months scored"),
    ("evaluation.grade", "等次", "Grade"),
    ("evaluation.grade.excellent", "优秀", "Excellent"),
    ("evaluation.grade.good", "良好", "Good"),
    ("evaluation.grade.pass", "合格", "Pass"),
    ("evaluation.grade.fail", "不合格", "Fail"),
    (
        "evaluation.proposal",
        "需提出监察建议",
        "Supervision proposal due",
    ),
    (
        "evaluation.best_center",
        "优秀便民服务中心",
        "Best convenience center",
    ),
    ("evaluation.rank", "名次", "Rank"),
    ("evaluation.departments", "进驻部门", "Departments"),
    ("evaluation.branch_halls", "分厅", "Branch halls"),
    (
        "evaluation.townships",
        "镇街便民服务中心",
        "Township and street centers",
    ),
    (
        "evaluation.advanced_branch_hall",
        "先进分厅",
        "Advanced branch hall",
    ),
    ("evaluation.total", "总分", "Score"),
    ("evaluation.why", "得分明细", "Why"),
    ("evaluation.lines", "展开", "Show"),
    ("nav.evaluation", "绩效评估", "Evaluation"),
    ("nav.ratings", "服务评价", "Ratings"),
    ("nav.verify", "证照核验", "Verify a certificate"),
    ("nav.queue", "叫号", "Queue desk"),
    ("kiosk.title", "自助取号", "Take a ticket"),
    (
        "kiosk.lead",
        "请选择要办理的业务，取号后留意大屏叫号",
        "Touch the service you came for, then watch the screen for your number",
    ),
    ("kiosk.waiting", "{}人等候", "{} waiting"),
    (
        "kiosk.no_groups",
        "本大厅暂未开放取号",
        "Tickets are not given out here yet",
    ),
    ("kiosk.more", "更多服务", "More services"),
    ("kiosk.ticket", "排队号", "Ticket"),
    ("kiosk.your_number", "您的号码", "Your number"),
    ("kiosk.ahead", "您前面还有{}位", "{} ahead of you"),
    ("kiosk.book", "预约取号", "Book a time"),
    ("kiosk.check_in", "预约签到", "Check in a booking"),
    ("kiosk.home", "返回首页", "Start again"),
    (
        "kiosk.booked_first",
        "预约号，将优先叫号",
        "A booked ticket: called before the walk-ins",
    ),
    ("keypad.clear", "清除", "Clear"),
    ("appointment.pick_group", "请选择业务", "Choose the service"),
    ("appointment.pick_slot", "请选择时段", "Choose a time"),
    ("appointment.left", "余{}", "{} left"),
    ("appointment.full", "已约满", "Full"),
    (
        "appointment.no_slots",
        "近期没有可预约的时段",
        "No times can be booked in the coming days",
    ),
    (
        "appointment.enter_phone",
        "请输入手机号码，我们将发送验证码",
        "Type your mobile number; a code will be sent to it",
    ),
    (
        "appointment.code_sent",
        "验证码已发送至{}，请输入",
        "Type the code sent to {}",
    ),
    (
        "appointment.enter_code",
        "请输入短信验证码",
        "Type the code from the SMS",
    ),
    ("appointment.confirm", "确认预约", "Book it"),
    ("appointment.booked_title", "预约成功", "Booked"),
    ("appointment.your_code", "预约码", "Booking code"),
    (
        "appointment.sms_to",
        "预约码已发送至{}",
        "The code was sent to {}",
    ),
    (
        "appointment.check_in_rule",
        "请于预约时间前30分钟至后15分钟内，在大厅自助机输入预约码签到取号；逾时未签到视为爽约，30天内爽约3次将暂停预约30天。",
        "Check in at the hall's kiosk with the code from 30 minutes before to 15 minutes after the time booked; a booking not checked in is a no-show, and three in 30 days suspend booking for 30 days.",
    ),
    (
        "appointment.enter_booking_code",
        "请输入6位预约码",
        "Type the 6-digit booking code",
    ),
    ("appointment.check_in_go", "签到取号", "Check in"),
    ("appointment.mine", "我的预约", "My bookings"),
    ("appointment.none", "暂无预约", "No bookings"),
    ("appointment.when", "预约时段", "Time"),
    ("appointment.hall", "大厅", "Hall"),
    ("appointment.group", "业务", "Service"),
    ("appointment.code", "预约码", "Code"),
    ("appointment.check_in", "签到时间", "Check-in"),
    ("appointment.phone", "手机号", "Phone"),
    ("appointment.channel", "预约方式", "Booked"),
    ("appointment.cancel", "取消预约", "Cancel"),
    ("appointment.book_new", "预约办理", "Book a time at a hall"),
    ("appointment.other_hall", "选择其他大厅", "Another hall"),
    (
        "appointment.no_halls",
        "暂无开放预约的大厅",
        "No hall takes bookings yet",
    ),
    ("appointment.today", "今日预约", "Today's bookings"),
    ("appointment.booked", "已预约", "Booked"),
    ("appointment.checked_in", "已签到", "Checked in"),
    ("appointment.cancelled", "已取消", "Cancelled"),
    ("appointment.missed", "爽约", "No-show"),
    ("board.title", "叫号屏", "Queue board"),
    ("board.calling", "正在呼叫", "Now calling"),
    ("board.to_window", "请到", "to window"),
    ("board.none", "暂无叫号", "No calls yet"),
    ("board.waiting", "等候人数", "Waiting"),
    ("desk.title", "窗口叫号", "Queue desk"),
    (
        "desk.no_windows",
        "本单位没有在用的窗口",
        "Your unit has no window in use",
    ),
    (
        "desk.no_queue",
        "本窗口不参与排队叫号",
        "This window serves no queue group",
    ),
    ("desk.window", "窗口", "Window"),
    ("desk.pick", "切换", "Switch"),
    ("desk.waiting", "等候{}人", "{} waiting"),
    ("desk.current", "当前号", "Current ticket"),
    ("desk.call_next", "叫下一位", "Call the next"),
    ("desk.start", "开始办理", "Start"),
    ("desk.recall", "重呼", "Call again"),
    ("desk.skip", "过号", "Skip"),
    ("desk.finish", "办结本号", "Finish"),
    (
        "desk.case_number",
        "受理的办件编号（选填）",
        "Case number taken in (optional)",
    ),
    ("desk.pad", "本窗口评价器", "This window's rating pad"),
    // Window duty and attendance (窗口出勤)
    ("nav.attendance", "窗口出勤", "Attendance"),
    ("board.windows", "窗口状态", "Windows"),
    ("duty.title", "窗口出勤", "Window duty"),
    ("duty.state", "状态", "State"),
    ("duty.clerk", "当班人员", "Clerk"),
    ("duty.since", "自{}起", "since {}"),
    ("duty.reason", "原因", "Reason"),
    ("duty.note", "说明", "Note"),
    (
        "duty.nothing",
        "您现在不能在本窗口操作",
        "Nothing you can do at this window now",
    ),
    ("duty_state.open", "服务中", "Open"),
    ("duty_state.paused", "暂停服务", "Paused"),
    ("duty_state.away", "离岗", "Away"),
    ("duty_state.closed", "未开窗", "Closed"),
    ("duty_action.sign_on", "签到上岗", "Sign on"),
    ("duty_action.pause", "暂停服务", "Pause"),
    ("duty_action.resume", "恢复服务", "Resume"),
    ("duty_action.mark_away", "标记离岗", "Mark away"),
    ("duty_action.sign_off", "签退", "Sign off"),
    ("duty_action.record_leave", "登记请假", "Record leave"),
    ("pause_reason.consultation", "业务咨询", "Consultation"),
    ("pause_reason.training", "培训会议", "Training or meeting"),
    ("pause_reason.system_failure", "系统故障", "System failure"),
    ("pause_reason.short_leave", "临时外出", "Short leave"),
    ("pause_reason.other", "其他", "Other"),
    (
        "leave_reason.official_business",
        "公假",
        "Official business",
    ),
    ("leave_reason.personal", "事假", "Personal leave"),
    ("leave_reason.sick", "病假", "Sick leave"),
    ("leave_reason.annual", "休假", "Annual leave"),
    (
        "leave_reason.hall_arrangement",
        "大厅安排",
        "Hall's arrangement",
    ),
    ("leave_reason.other", "其他", "Other"),
    ("day_part.whole_day", "全天", "Whole day"),
    ("day_part.morning", "上午", "Morning"),
    ("day_part.afternoon", "下午", "Afternoon"),
    ("irregularity.late_opening", "迟开窗", "Late opening"),
    (
        "irregularity.unexplained_absence",
        "无故缺勤",
        "Unexplained absence",
    ),
    (
        "irregularity.closed_during_office_hours",
        "工作时间空岗",
        "Closed in office hours",
    ),
    ("irregularity.early_leave", "早退", "Early leave"),
    ("irregularity.long_pause", "暂停超时", "Pause too long"),
    ("att.title", "窗口出勤", "Window attendance"),
    (
        "att.lead",
        "窗口签到、暂停、离岗、签退的记录汇总：每月按窗口和人员统计出勤与窗口运行情况，迟开窗、无故缺勤、工作时间空岗、早退和暂停超时逐日列出。",
        "What the windows showed — signed on, paused, away, signed off — summed up per window and per clerk each month; late openings, unexplained absences, windows left empty in office hours, early leaves and over-long pauses listed by day.",
    ),
    ("att.day", "日期", "Day"),
    ("att.now", "窗口现状", "The windows now"),
    ("att.since", "状态起始", "Since"),
    ("att.actions", "大厅管理", "Hall manager"),
    ("att.leave", "登记请假", "Record leave"),
    (
        "att.leave_lead",
        "经批准的请假免除窗口该时段的出勤；有人顶岗时无须登记，顶岗人员直接签到。请假可提前登记，或在之后3个工作日内补登。",
        "Approved leave excuses the window for that part of the day; when someone stands in, nothing is recorded: they sign on. Leave may be recorded ahead or up to 3 working days after.",
    ),
    ("att.leave_date", "请假日期", "Date"),
    ("att.leave_part", "时段", "Part of the day"),
    ("att.leave_clerk", "请假人员", "Clerk on leave"),
    ("att.no_clerk", "（不指定）", "(nobody named)"),
    ("att.whole_month", "（全月）", "(the whole month)"),
    ("att.through", "（统计至{}）", "(up to {})"),
    ("att.by_window", "按窗口", "By window"),
    ("att.by_clerk", "按人员", "By clerk"),
    ("att.working_days", "应出勤天数", "Working days"),
    ("att.days_on_duty", "出勤天数", "Days on duty"),
    ("att.days_on_leave", "请假天数", "Days on leave"),
    ("att.on_time", "按时开窗", "Opened on time"),
    ("att.paused_minutes", "暂停分钟", "Minutes paused"),
    ("att.away_minutes", "离岗分钟", "Minutes away"),
    ("att.open_rate", "开窗率", "Open-hours rate"),
    (
        "att.not_kept",
        "尚未启用签到",
        "Not yet signed on through the system",
    ),
    ("att.irregularities", "异常记录", "Irregularities"),
    ("att.kind", "类别", "Kind"),
    ("att.detail", "详情", "Detail"),
    (
        "att.rules",
        "规则：上班5分钟后签到为迟开窗；下班前5分钟以上签退为早退；工作时间窗口连续无人超过15分钟为空岗；因个人原因暂停超过30分钟为暂停超时（培训会议、系统故障不计）。午休不计入工作时间。",
        "Rules: a sign-on more than 5 minutes after the opening is late; a sign-off more than 5 minutes before the close is leaving early; a window left empty for more than 15 office minutes is closed in office hours; a pause for the clerk's own reason longer than 30 minutes is too long (training and system failures never are). The lunch break is no office time.",
    ),
    ("att.minutes", "{}分钟", "{} min"),
    ("att.from", "{}起", "from {}"),
    (
        "disclosure.windows",
        "窗口出勤与运行情况",
        "Attendance and operation of the windows",
    ),
    (
        "disclosure.windows_note",
        "开窗率：工作时间内窗口服务中的时间占比（请假时段不计）；自窗口启用签到之日起统计。",
        "Open-hours rate: the share of office hours the window was serving (leave excused); counted from the day the window began signing on.",
    ),
    ("ticket_state.waiting", "等候中", "Waiting"),
    ("ticket_state.called", "已叫号", "Called"),
    ("ticket_state.serving", "办理中", "Serving"),
    ("ticket_state.done", "已办结", "Done"),
    ("ticket_state.skipped", "已过号", "Skipped"),
    ("payment.title", "缴费", "Fees"),
    (
        "payment.fees_at_acceptance",
        "收费核定（减免须注明法定依据）",
        "Fees (a waiver or reduction needs its legal reason)",
    ),
    ("payment.standard", "标准", "standard"),
    ("payment.at_standard", "按标准收取", "At the standard"),
    (
        "payment.reduced_to",
        "减收后金额（元）",
        "Reduced to (yuan)",
    ),
    (
        "payment.adjustment_reason",
        "减免依据",
        "Legal reason for the waiver or reduction",
    ),
    ("payment.refund", "退费", "Refund"),
    ("adjustment.reduced", "减收", "Reduced"),
    ("adjustment.waived", "免收", "Waived"),
    (
        "payment.pay_where",
        "可网上缴费，或到收费窗口缴费",
        "pay online here, or at the fee window",
    ),
    ("payment.pay_online", "网上缴费", "Pay online"),
    ("payment.code", "缴款码", "Payment code"),
    ("payment.amount", "应缴", "Due"),
    ("payment.yuan", "元", "yuan"),
    ("payment.method", "收款方式", "Paid by"),
    ("payment.take", "窗口收款", "Take the payment"),
    ("payment_method.cash", "现金", "Cash"),
    ("payment_method.card", "刷卡", "Card"),
    ("payment_state.created", "待缴费", "To pay"),
    ("payment_state.pending", "网上支付中", "Paying online"),
    ("payment_state.paid", "已缴费", "Paid"),
    ("payment_state.failed", "支付失败", "Payment failed"),
    ("payment_state.refunded", "已退费", "Refunded"),
    ("certificate.title", "电子证照", "Electronic certificates"),
    ("certificate.edition", "第{}版", "edition {}"),
    ("certificate.download", "下载证照（PDF）", "Download (PDF)"),
    ("certificate.verify", "核验", "Verify"),
    ("certificate.issue", "签发证照", "Issue the certificate"),
    ("certificate.reissue", "换发证照", "Reissue the certificate"),
    ("certificate.revoke", "注销证照", "Revoke the certificate"),
    (
        "certificate.revoke_reason",
        "注销理由及依据",
        "Reason and legal basis",
    ),
    ("certificate.no_expiry", "长期", "no expiry"),
    (
        "certificate.renew_by",
        "证照即将到期。如需延续，请于{}前提出延续申请（《行政许可法》第五十条）。",
        "The certificate is near its last day. To renew it, apply by {} (Administrative Licensing Law Art 50).",
    ),
    (
        "certificate.apply_renewal",
        "查看办事指南并申请",
        "See the guide and apply",
    ),
    (
        "certificate.yours",
        "您的电子证照",
        "Your electronic certificate",
    ),
    (
        "certificate.download_mine",
        "下载电子证照",
        "Download your certificate",
    ),
    ("verification.valid", "有效", "Valid"),
    ("verification.expired", "已过期", "Expired"),
    ("verification.revoked", "已注销", "Revoked"),
    ("verification.unknown", "查无此证", "Not issued here"),
    (
        "verification.invalid",
        "验证失败（证照被篡改或伪造）",
        "Does not verify (altered or forged)",
    ),
    (
        "verify.title",
        "电子证照核验",
        "Verify an electronic certificate",
    ),
    (
        "verify.lead",
        "扫描证照上的二维码，或输入证照标识，核验证照是否由本区签发、是否有效。",
        "Scan the certificate's QR code, or type its identifier, to see whether this district issued it and whether it is in force.",
    ),
    ("verify.code", "证照标识", "Licence identifier"),
    ("verify.submit", "核验", "Verify"),
    ("verify.certificate", "证照名称", "Certificate"),
    ("verify.holder", "持证者", "Holder"),
    ("verify.issuer", "发证机关", "Issued by"),
    ("verify.issued_on", "发证日期", "Issued on"),
    ("verify.valid_until", "有效期至", "Valid until"),
    ("verify.no_expiry", "长期", "No expiry"),
    ("verify.identifier", "证照标识", "Identifier"),
    (
        "verify.public_key",
        "离线核验公钥（ed25519）：",
        "Public key for offline checks (ed25519):",
    ),
    (
        "org.credit_code",
        "统一社会信用代码（证照签发用）",
        "Unified social credit code (for certificates)",
    ),
    ("pad.title", "服务评价器", "Rating pad"),
    (
        "pad.ask",
        "请对本次服务进行评价",
        "Please rate the service you just had",
    ),
    ("pad.ticket", "排队号", "Ticket"),
    (
        "pad.reason",
        "不满意请告诉我们原因",
        "If you are not satisfied, please tell us why",
    ),
    ("pad.thanks", "感谢您的评价！", "Thank you for your rating!"),
    (
        "pad.welcome",
        "欢迎监督我们的服务",
        "Your rating helps us serve you better",
    ),
    ("pad.serving", "正在办理", "Now serving"),
    ("rating.title", "服务评价", "Rate the service"),
    (
        "rating.lead",
        "办结后可对办理服务评价一次（一事一评）；差评请说明理由，我们将回访并整改答复。",
        "Once the case is concluded you may rate the service once; with a poor rating please say why: we will call back, rectify and reply.",
    ),
    (
        "rating.thanks",
        "感谢您的评价！差评将在规定时限内回访并答复。",
        "Thank you for your rating. A poor rating is followed by a call back and a reply within the set time.",
    ),
    (
        "rating.check_again",
        "为确认是您本人，请再次输入校验码",
        "To confirm it is you, enter the check code again",
    ),
    ("rating.submit", "提交评价", "Send the rating"),
    ("rating.yours", "您的评价", "Your rating"),
    ("rating_channel.pad", "窗口评价器", "Rating pad"),
    ("rating_channel.online", "网上评价", "Online"),
    ("rating_channel.sms", "短信评价", "SMS"),
    (
        "rectification.awaiting_visit",
        "待回访",
        "Awaiting return visit",
    ),
    ("rectification.visited", "已回访", "Visited"),
    ("rectification.rectified", "已整改", "Rectified"),
    ("rectification.explained", "已解释说明", "Explained"),
    ("ratings.title", "服务评价（好差评）", "Ratings"),
    ("ratings.one", "评价", "Rating"),
    (
        "ratings.lead",
        "差评须回访核实，并在规定工作日内整改或解释说明，答复以短信发送申请人。",
        "Every poor rating gets a return visit, then is rectified or explained within the set working days; the reply goes to the applicant by SMS.",
    ),
    ("ratings.poor", "差评", "Poor"),
    ("ratings.open", "待整改", "To rectify"),
    ("ratings.at", "评价时间", "Rated at"),
    ("ratings.channel", "评价渠道", "Channel"),
    ("ratings.level", "评价", "Rating"),
    ("ratings.reason", "理由", "Reason"),
    ("ratings.state", "整改状态", "Rectification"),
    ("ratings.rectify_by", "整改期限", "Rectify by"),
    ("ratings.overdue", "已超期", "Overdue"),
    ("ratings.done", "已保存", "Saved"),
    (
        "ratings.act",
        "回访与整改",
        "Return visit and rectification",
    ),
    ("ratings.visit_notes", "回访情况", "Return visit notes"),
    (
        "ratings.founded",
        "回访核实差评属实",
        "The return visit confirmed the rating",
    ),
    ("ratings.unfounded", "经核实不属实", "not confirmed"),
    ("ratings.do_visit", "记录回访", "Record the return visit"),
    (
        "ratings.measures",
        "整改措施或解释说明",
        "Measures taken, or the explanation",
    ),
    ("ratings.reply", "答复申请人", "Reply to the applicant"),
    (
        "ratings.reply_hint",
        "答复内容将以短信发送给申请人。",
        "The reply is sent to the applicant by SMS.",
    ),
    ("ratings.do_rectify", "整改完成", "Rectified"),
    ("ratings.do_explain", "解释说明", "Explained"),
    ("notices.title", "督办单", "Supervision notices"),
    ("notices.one", "督办单", "Notice"),
    ("notices.running", "办理中", "Running"),
    ("notices.closed", "已办结", "Concluded"),
    (
        "notices.lead",
        "每项违规自动下发督办单：5个工作日内答复，20个工作日内办结；逾期未答复依次升级为黄牌警告、红牌问责。",
        "Every irregularity gets a notice: a reply within 5 working days, concluded within 20; no reply in time escalates to a yellow card, then a red card.",
    ),
    ("notices.state", "状态", "State"),
    ("notices.card", "督办级别", "Card"),
    ("notices.opened", "下发时间", "Opened"),
    ("notices.due", "答复期限", "Reply by"),
    ("notices.conclude_by", "办结期限", "Conclude by"),
    ("notices.opened_late", "逾期下发", "Opened late"),
    ("notices.history", "督办记录", "History"),
    ("notices.act", "办理", "Act"),
    ("notices.reply", "整改情况答复", "The department's reply"),
    ("notices.do_reply", "提交答复", "Send the reply"),
    (
        "notices.return_reason",
        "退回理由",
        "Why the reply is returned",
    ),
    ("notices.do_return", "退回答复", "Return the reply"),
    (
        "notices.escalate_text",
        "书面督办意见或整改建议",
        "Written notice or rectification proposal",
    ),
    ("notices.do_escalate", "升级督办", "Escalate"),
    ("notices.resolution", "办结结论", "Conclusion"),
    ("notices.note", "办结说明", "Note"),
    ("notices.do_close", "办结督办单", "Conclude the notice"),
    ("notices.done", "已办理。", "Done."),
    ("notice_state.open", "待答复", "Awaiting reply"),
    ("notice_state.replied", "已答复待审核", "Replied, to review"),
    ("notice_state.closed", "已办结", "Concluded"),
    ("card.none", "督办", "Notice"),
    ("card.yellow", "黄牌警告", "Yellow card"),
    ("card.red", "红牌问责", "Red card"),
    ("notice_party.supervisor", "监察人员", "Supervisor"),
    ("notice_party.department", "责任部门", "Department"),
    ("notice_party.system", "系统", "System"),
    ("notice_event.opened", "下发督办单", "Opened"),
    ("notice_event.replied", "答复", "Replied"),
    ("notice_event.reply_returned", "退回答复", "Reply returned"),
    ("notice_event.escalated", "升级督办", "Escalated"),
    ("notice_event.closed", "办结", "Concluded"),
    ("resolution.rectified", "已整改", "Rectified"),
    ("resolution.unfounded", "问题不成立", "Unfounded"),
    ("nav.notices", "督办单", "Notices"),
    ("findings.title", "预警纠错", "Irregularities"),
    ("findings.irregular", "违规与超时", "Irregularities"),
    ("findings.routine", "例行审查", "Routine reviews"),
    ("findings.kind", "类别", "Kind"),
    ("findings.detected", "发现时间", "Found"),
    ("findings.what", "情况", "What"),
    (
        "findings.lead",
        "办件事件发生时即时判定，在办件每五分钟巡检一次；同一问题只记一次。",
        "Judged as each case event arrives, and open cases are swept every five minutes; each irregularity is recorded once.",
    ),
    ("nav.findings", "预警纠错", "Irregularities"),
    ("monitor.title", "实时监控", "Monitoring"),
    (
        "city.title",
        "市级电子监察 · 全市汇总",
        "City supervision · city-wide totals",
    ),
    (
        "city.lead",
        "各区县经市区两级对接报送的办件与监察问题，按区县汇总；统计期为空时为全部历史。",
        "Cases and supervision findings each district sends over the city link, totalled per district; with no period, the whole history.",
    ),
    ("city.from", "自", "From"),
    ("city.to", "至", "To"),
    ("city.districts", "各区县", "Districts"),
    ("city.district", "区县", "District"),
    ("city.on_time", "按时办结", "On time"),
    ("city.on_the_spot", "即办", "On the spot"),
    ("city.open_green", "在办·正常", "Open · green"),
    ("city.open_yellow", "在办·黄牌", "Open · yellow"),
    ("city.open_red", "在办·红牌", "Open · red"),
    ("city.findings", "发现问题", "Findings"),
    ("city.open_findings", "未办结问题", "Findings open"),
    ("city.last_batch", "最近报送", "Last push"),
    ("city.total", "全市", "City"),
    (
        "city.none",
        "尚未登记区县。",
        "No district is registered yet.",
    ),
    (
        "city.note",
        "只有计数与办件编号，不含申请人个人信息。在办件按截止时间分级。",
        "Counts and case numbers only, nothing personal about applicants. Open cases are levelled by their due time.",
    ),
    ("monitor.now", "当前", "Now"),
    ("monitor.as_of", "截至", "as of"),
    ("monitor.period", "统计期", "Period"),
    ("monitor.today", "今日", "Today: "),
    ("monitor.received", "收件", "Received"),
    ("monitor.accepted", "受理", "Accepted"),
    ("monitor.concluded", "办结", "Concluded"),
    ("monitor.on_the_spot", "即办", "On the spot"),
    ("monitor.refused", "不予受理", "Refused at intake"),
    ("monitor.denied", "不予许可", "Denied"),
    ("monitor.on_time_rate", "按时办结率", "On-time rate"),
    ("monitor.on_the_spot_rate", "即办率", "On-the-spot rate"),
    ("monitor.conclusion_rate", "办结率", "Conclusion rate"),
    ("monitor.open_green", "在办·正常", "Open · green"),
    ("monitor.open_yellow", "在办·预警", "Open · yellow"),
    ("monitor.open_red", "在办·超期", "Open · red"),
    (
        "monitor.chart_volume",
        "每日收件与办结",
        "Received and concluded per day",
    ),
    (
        "monitor.chart_volume_monthly",
        "每月收件与办结",
        "Received and concluded per month",
    ),
    (
        "monitor.chart_on_time",
        "各部门按时办结率",
        "On-time rate per department",
    ),
    ("monitor.by_department", "按部门", "By department"),
    ("monitor.by_unit", "按承办单位", "By handling unit"),
    (
        "monitor.note",
        "统计取自随每一办件事件同步更新的累计数；在办件的预警等级按其到期时间计算（办件页另计步骤时限和已用八成时限）。",
        "Figures come from running totals kept with every case event; open cases are levelled by their due time (the case page also counts step limits and 80 % of the limit used).",
    ),
    ("nav.monitor", "实时监控", "Monitoring"),
    ("project.title", "重点项目", "Key projects"),
    (
        "project.lead",
        "绿色通道：项目的审批事项打包办理，互不依赖的并联审批，联审推进，全部审批有总目标。",
        "The green channel: a project's approvals as one bundle, independent ones in parallel, joint reviews, one target for all.",
    ),
    ("project.new", "登记重点项目", "Register a key project"),
    ("project.name", "项目名称", "Project"),
    (
        "project.code",
        "项目代码（选填）",
        "Project code (optional)",
    ),
    ("project.applicant", "建设单位", "Enterprise"),
    (
        "project.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("project.phone", "联系电话", "Phone"),
    ("project.target", "目标（工作日）", "Target (working days)"),
    ("project.plan", "审批事项", "Approvals"),
    (
        "project.plan_hint",
        "每行一项：事项编码 | 阶段 | 须先办结的行号（逗号分隔），如 XK00002000 | 施工许可 | 1, 2",
        "One a line: item code | stage | lines it waits for (commas), e.g. XK00002000 | 施工许可 | 1, 2",
    ),
    (
        "project.register",
        "登记并指定我为代办员",
        "Register, with me as its agent",
    ),
    ("project.registered", "登记于", "Registered"),
    ("project.opened", "开始审批", "Opened"),
    ("project.used", "已用工作日", "Working days used"),
    ("project.standard", "按法定时限", "By statutory limits"),
    ("project.speedup", "提速", "Faster by"),
    ("project.complete", "全部审批已办结", "All approved"),
    ("project.late", "超期", "Late"),
    ("project.approvals", "审批事项", "Approvals"),
    ("project.stage", "阶段", "Stage"),
    ("project.waits_for", "须先办结", "Waits for"),
    ("project.status", "状态", "Status"),
    ("project.status.waiting", "等待前置审批", "Waiting"),
    ("project.status.ready", "可开启", "Ready"),
    ("project.status.in_progress", "办理中", "In progress"),
    ("project.status.approved", "已批准", "Approved"),
    ("project.status.failed", "未获批准", "Not approved"),
    ("project.status.blocked", "前置未批，无法开启", "Blocked"),
    (
        "project.open_ready",
        "开启可办的{}项审批",
        "Open the {} ready approvals",
    ),
    (
        "project.opened_done",
        "已开启可办的审批，案件已受理。",
        "The ready approvals are open as cases.",
    ),
    ("project.timeline", "审批进度图", "Timeline"),
    ("project.reviews", "联审会议", "Joint reviews"),
    (
        "project.departments_present",
        "参会部门（每行一个）",
        "Departments present (one a line)",
    ),
    (
        "project.opinions",
        "各部门意见（每行：部门：意见）",
        "Opinions (one a line: department: opinion)",
    ),
    ("project.decisions", "会议决定", "Decisions"),
    ("project.record_review", "记录联审", "Record the meeting"),
    (
        "project.review_done",
        "联审已记录。",
        "The joint review is recorded.",
    ),
    ("nav.projects", "重点项目", "Key projects"),
    ("org.new_unit", "新增单位", "New unit"),
    ("org.edit_unit", "修改单位", "Change unit"),
    ("org.new_department", "新增部门", "New department"),
    ("org.edit_department", "修改部门", "Change department"),
    ("org.new_window", "新增窗口", "New window"),
    ("org.edit_window", "修改窗口", "Change window"),
    ("org.edit", "修改", "Change"),
    ("org.parent", "上级单位", "Unit above"),
    ("org.address", "地址", "Address"),
    ("org.phone", "联系电话", "Phone"),
    ("org.short_name", "简称", "Short name"),
    ("org.stationed", "进驻单位", "Stationed at"),
    (
        "org.open",
        "窗口开放（取消勾选即停用）",
        "Open (untick to close the window)",
    ),
    ("org.closed", "已停用", "Closed"),
    ("org.saved", "已保存。", "Saved."),
    ("window.independent", "独立窗口", "Independent"),
    ("window.comprehensive", "综合窗口", "Comprehensive"),
    ("window.scheduled", "定时窗口", "Scheduled"),
    ("window.fee", "收费窗口", "Fee"),
    ("window.intermediary", "中介窗口", "Intermediary"),
    ("item.edit", "修改事项：{}", "Edit the item: {}"),
    (
        "item.edit_link",
        "修改（生成新版本）",
        "Edit (a new dated version)",
    ),
    ("item.saved", "新版本已保存。", "The new version is saved."),
    ("item.cancel", "取消该事项", "Cancel the item"),
    ("item.cancel_reason", "取消理由", "Reason for cancelling"),
    ("item.current", "当前版本：{}", "Current version: {}"),
    ("item.export", "导出目录", "Export the catalog"),
    (
        "item.format_hint",
        "列表字段用“;”分隔条目、“|”分隔字段，格式见 docs/catalog-format.md。",
        "Lists separate entries with “;” and fields with “|”; see docs/catalog-format.md.",
    ),
    ("col.code", "事项编码", "Code"),
    ("col.name", "事项名称", "Name"),
    ("col.department_code", "部门编码", "Department code"),
    (
        "col.level",
        "办理层级（district_hall / branch_hall / township_center）",
        "Level (district_hall / branch_hall / township_center)",
    ),
    ("col.branch_code", "分厅代码", "Branch hall code"),
    (
        "col.proxy_by_village",
        "村居可代办（true / false）",
        "Village proxy (true / false)",
    ),
    (
        "col.kind",
        "类型（licence / public_service）",
        "Kind (licence / public_service)",
    ),
    ("col.legal_basis", "设定依据", "Legal basis"),
    (
        "col.statutory_days",
        "法定时限（工作日）",
        "Statutory limit (working days)",
    ),
    (
        "col.committed_days",
        "承诺时限（工作日）",
        "Committed limit (working days)",
    ),
    (
        "col.on_the_spot",
        "即办件（true / false）",
        "On the spot (true / false)",
    ),
    (
        "col.window_authorised",
        "窗口授权（双章制，true / false）",
        "Window-authorised (true / false)",
    ),
    (
        "col.materials",
        "材料（名称|original或copy|份数|required或optional）",
        "Materials (name|original or copy|count|required or optional)",
    ),
    (
        "col.fees",
        "收费（名称|金额（分）|依据）",
        "Fees (name|amount in fen|basis)",
    ),
    (
        "col.prerequisites",
        "前置事项编码",
        "Prerequisite item codes",
    ),
    (
        "col.steps",
        "环节（handle|天数|角色）",
        "Steps (handle|days|role)",
    ),
    (
        "col.certificate_valid_years",
        "证照有效期（年，空为长期）",
        "Certificate valid for (years; empty: no expiry)",
    ),
    ("calendar.title", "{}年工作日历", "Working calendar {}"),
    ("calendar.notice", "国务院通知", "State Council notice"),
    (
        "calendar.provisional",
        "尚无国务院通知：按法定节日推算，期限为暂定。",
        "No notice yet: reckoned from the statutory holidays; deadlines are provisional.",
    ),
    (
        "calendar.working_days",
        "全年工作日",
        "Working days in the year",
    ),
    ("calendar.date", "日期", "Date"),
    ("calendar.kind", "类别", "Kind"),
    ("calendar.name", "节日", "Holiday"),
    (
        "calendar.load",
        "载入国务院节假日通知（TOML）",
        "Load a State Council holiday notice (TOML)",
    ),
    (
        "calendar.load_button",
        "载入并重算暂定期限",
        "Load and recompute provisional deadlines",
    ),
    (
        "calendar.loaded",
        "通知已载入，{}件办件的期限已重算。",
        "The notice is loaded; {} cases' deadlines were recomputed.",
    ),
    ("calendar.year", "年份", "Year"),
    (
        "import.title",
        "导入事项目录（CSV / XLSX）",
        "Import the catalog (CSV / XLSX)",
    ),
    (
        "import.lead",
        "选择目录文件（CSV或XLSX，含表头，格式同导出文件和 liandong catalog import），或粘贴CSV内容。有任何一行出错则不写入。",
        "Choose a catalog file (CSV or XLSX with its header, the format of the export and of liandong catalog import), or paste CSV rows. Nothing is written if any row is wrong.",
    ),
    ("import.file", "目录文件", "Catalog file"),
    ("import.csv", "或粘贴CSV内容", "Or paste CSV rows"),
    ("import.submit", "导入", "Import"),
    (
        "import.bad_date",
        "生效日期格式应为YYYY-MM-DD",
        "the date in force is YYYY-MM-DD",
    ),
    ("import.done", "导入完成：新增{}项", "Imported: {} created"),
    ("import.changed", "变更", "changed"),
    ("import.unchanged", "未变", "unchanged"),
    ("import.link", "导入目录", "Import the catalog"),
    ("day.holiday", "放假", "Holiday"),
    ("day.adjusted", "调休上班", "Adjusted working day"),
    // Appeals (三项制度)
    ("nav.appeals", "三项制度", "Appeals"),
    ("appeals.title", "三项制度诉求", "Appeals"),
    ("appeals.open", "办理中", "Open"),
    ("appeals.overdue", "已超期", "Overdue"),
    ("appeals.all", "全部", "All"),
    ("appeals.at_risk", "预警", "At risk"),
    ("appeals.statistics", "统计", "Statistics"),
    ("stats.from", "自", "From"),
    ("stats.to", "至", "To"),
    ("stats.show", "统计", "Show"),
    (
        "stats.village_target",
        "诉求在村（居）解决率目标为90%以上",
        "the target: 90 % or more settled in the village",
    ),
    ("stats.group", "分组", "Group"),
    ("stats.total", "受理", "Registered"),
    ("stats.concluded", "办结", "Concluded"),
    ("stats.concluded_rate", "办结率", "Concluded"),
    ("stats.on_time_rate", "按期答复率", "Answered on time"),
    ("stats.village_rate", "村内解决率", "Settled in the village"),
    ("stats.mean_days", "平均答复天数", "Mean days to answer"),
    ("stats.overdue_open", "逾期未答复", "Overdue, unanswered"),
    ("stats.overall", "合计", "All"),
    (
        "error.date_format",
        "日期格式应为YYYY-MM-DD",
        "a date is YYYY-MM-DD",
    ),
    ("appeals.new", "登记诉求", "Register an appeal"),
    ("appeals.register", "登记", "Register"),
    ("appeal.title", "诉求 {}", "Appeal {}"),
    ("appeal.facts", "诉求信息", "The appeal"),
    ("appeal.number", "诉求编号", "Number"),
    ("appeal.kind", "类别", "Kind"),
    ("appeal.category", "分类", "Category"),
    ("appeal.person", "诉求人", "Person"),
    ("appeal.channel", "渠道", "Channel"),
    ("appeal.raised", "受理单位", "Raised at"),
    ("appeal.scope", "事项范围", "Scope"),
    ("appeal.level", "办理层级", "Level"),
    ("appeal.unit", "承办单位", "Responsible unit"),
    ("appeal.registered", "登记时间", "Registered"),
    ("appeal.registered_done", "诉求登记", "Registration"),
    ("appeal.due", "办理期限", "Due"),
    ("appeal.address", "地址", "Address"),
    ("appeal.content", "诉求内容", "Content"),
    ("appeal.answer", "答复", "Answer"),
    ("appeal.note", "记录", "Note"),
    ("appeal.to_unit", "镇街或村居", "Township or village"),
    ("appeal.department", "区级部门", "District department"),
    ("appeal.new_due", "新期限", "New deadline"),
    ("appeal.satisfaction", "评价", "Rating"),
    ("appeal.comment", "意见", "Comment"),
    (
        "appeal.scope_hint",
        "在大厅、热线登记村居或镇街事项须选择镇街或村居；单个区级部门事项须选择部门。",
        "At the hall or the hotline, a village or township matter needs its unit; a one-department matter needs its department.",
    ),
    ("appeal_kind.opinion", "意见", "Opinion"),
    ("appeal_kind.suggestion", "建议", "Suggestion"),
    ("appeal_kind.problem", "问题诉求", "Problem"),
    (
        "appeal_kind.service_complaint",
        "服务投诉",
        "Service complaint",
    ),
    (
        "appeal_channel.station",
        "村居便民服务站",
        "Village station",
    ),
    (
        "appeal_channel.township",
        "镇街便民服务中心",
        "Township center",
    ),
    ("appeal_channel.hall", "大厅窗口", "Hall window"),
    ("appeal_channel.online", "网上", "Online"),
    ("appeal_channel.hotline", "热线", "Hotline"),
    (
        "appeal_scope.village",
        "村居职责范围内",
        "Within the village",
    ),
    ("appeal_scope.township", "需镇街解决", "Needs the township"),
    (
        "appeal_scope.district_department",
        "需单个区级部门解决",
        "Needs one district department",
    ),
    (
        "appeal_scope.district_departments",
        "需多个区级部门解决",
        "Needs several district departments",
    ),
    (
        "appeal_scope.city_department",
        "需市级部门解决",
        "Needs a city department",
    ),
    ("appeal_level.village", "村居", "Village"),
    ("appeal_level.township", "镇街", "Township"),
    ("appeal_level.district", "区级", "District"),
    (
        "appeal_state.pending_acceptance",
        "待受理",
        "Awaiting acceptance",
    ),
    ("appeal_state.registered", "已登记", "Registered"),
    ("appeal_state.in_progress", "办理中", "In progress"),
    ("appeal_state.answered", "已答复", "Answered"),
    ("appeal_state.closed", "已办结", "Closed"),
    ("appeal_event.registered", "登记", "Registered"),
    ("appeal_event.accepted", "受理", "Accepted"),
    (
        "appeal_event.acceptance_refused",
        "不予受理",
        "Not accepted",
    ),
    (
        "appeal_event.forwarded",
        "转送有权处理机关",
        "Forwarded to the competent body",
    ),
    ("appeal_action.accept", "受理", "Accept"),
    (
        "appeal_action.refuse_acceptance",
        "不予受理",
        "Do not accept",
    ),
    ("appeal_action.forward", "转送有权处理机关", "Forward"),
    ("appeals.acceptance", "待受理投诉", "Awaiting acceptance"),
    (
        "appeals.acceptance_overdue",
        "受理决定已逾期",
        "Decision overdue",
    ),
    (
        "appeal.acceptance_due",
        "受理决定期限",
        "Decide on acceptance by",
    ),
    ("appeal.acceptance", "受理决定", "Decision on acceptance"),
    ("appeal_acceptance.accepted", "已受理", "Accepted"),
    ("appeal_acceptance.refused", "不予受理", "Not accepted"),
    (
        "appeal_acceptance.forwarded",
        "已转送有权处理机关",
        "Forwarded to the competent body",
    ),
    ("appeal.ground", "不予受理理由", "Ground"),
    ("appeal.forward_to", "转送机关", "Forwarded to"),
    (
        "appeal.acceptance_hint",
        "服务投诉须由行政效能投诉中心在登记后5个工作日内作出受理、不予受理或转送的决定；受理后按事项范围起算办理期限。",
        "A complaint about the service needs the efficiency complaint center's decision within 5 working days of registration: accept, refuse, or forward; the answer's period runs from acceptance.",
    ),
    (
        "refusal_ground.outside_scope",
        "不属于行政效能投诉受理范围",
        "Outside the complaints it takes",
    ),
    (
        "refusal_ground.no_facts",
        "无明确的投诉对象或具体事实",
        "No office or facts named",
    ),
    (
        "refusal_ground.duplicate",
        "同一事项已受理或已办结，且无新的事实和理由",
        "Already taken up or settled, nothing new",
    ),
    (
        "refusal_ground.legal_procedure",
        "已进入或依法应通过行政复议、诉讼、仲裁等法定途径解决",
        "For reconsideration, litigation or arbitration",
    ),
    (
        "refusal_ground.other",
        "其他（须说明理由）",
        "Other (give the reason)",
    ),
    (
        "appeal_event.action_recorded",
        "办理记录",
        "Action recorded",
    ),
    ("appeal_event.referred", "转办", "Referred"),
    ("appeal_event.escalated", "上报", "Escalated"),
    ("appeal_event.extended", "延期", "Extended"),
    ("appeal_event.answered", "答复", "Answered"),
    ("appeal_event.rated", "评价", "Rated"),
    ("appeal_event.taken_over", "效能中心接管", "Taken over"),
    ("appeal_event.redo_ordered", "责令重办", "Redo ordered"),
    ("appeal_event.closed", "办结", "Closed"),
    (
        "appeal_action.record_action",
        "记录走访或办理",
        "Record an action",
    ),
    ("appeal_action.answer", "答复", "Answer"),
    ("appeal_action.refer", "转办", "Refer"),
    ("appeal_action.escalate", "上报", "Escalate"),
    ("appeal_action.extend", "延期", "Extend"),
    ("appeal_action.take_over", "接管", "Take over"),
    ("appeal_action.order_redo", "责令重办", "Order a redo"),
    ("appeal_action.close", "办结", "Close"),
    ("appeal_action.rate", "代为评价", "Record the rating"),
    ("nav.appeal", "我要反映", "Raise an appeal"),
    ("nav.appeal_lookup", "诉求查询", "Appeal lookup"),
    (
        "appeal.submit_title",
        "网上反映意见建议和诉求",
        "Raise an opinion, suggestion or problem",
    ),
    (
        "appeal.submit_lead",
        "请留手机号码：办理结果将告知您，查询和评价也需要它的后六位。",
        "Leave a phone number: you will be told of the answer, and its last six digits let you look it up and rate it.",
    ),
    ("appeal.submit", "提交", "Submit"),
    (
        "appeal.submitted",
        "已提交，诉求编号：",
        "Submitted. The appeal's number:",
    ),
    (
        "appeal.keep_number",
        "请记下并妥善保管此编号，凭编号和手机号后六位查询办理进度并评价。",
        "Write this number down and keep it: with it and the last six digits of your phone you can follow and rate your appeal.",
    ),
    (
        "appeal.lookup_lead",
        "输入诉求编号和登记手机号码的后六位。",
        "Enter the appeal's number and the last six digits of the phone left with it.",
    ),
    (
        "appeal.check",
        "手机号后六位",
        "Last six digits of the phone",
    ),
    (
        "appeal.not_found",
        "未找到与该编号和手机号后六位相符的诉求。",
        "No appeal matches this number and these digits.",
    ),
    ("appeal.answered_at", "答复时间", "Answered"),
    ("appeal.rate", "评价办理结果", "Rate the answer"),
    (
        "appeal.rate_reason",
        "意见（选择不满意、非常不满意时必填）",
        "Comment (required for dissatisfied and very dissatisfied)",
    ),
    (
        "appeal.rated",
        "感谢您的评价。",
        "Thank you for your rating.",
    ),
    (
        "home.appeal_lead",
        "意见、建议、问题，网上反映",
        "Opinions, suggestions, problems, online",
    ),
    (
        "home.appeal_lookup_lead",
        "凭编号查询诉求办理并评价",
        "Follow and rate your appeal by its number",
    ),
    // Proxy service (全程代办)
    ("nav.proxy", "全程代办", "Proxy service"),
    ("proxy.title", "全程代办台账", "Proxy ledger"),
    ("proxy.daily", "今日待办", "To do today"),
    ("proxy.ledger", "接办件登记台账", "Ledger"),
    ("proxy.station", "代办站点", "Station"),
    ("proxy.month", "月份", "Month"),
    ("proxy.export", "导出CSV", "Export CSV"),
    ("proxy.receipt_number", "承办单编号", "Receipt number"),
    ("proxy.holder", "材料所在", "Held by"),
    ("proxy.next", "下一站", "Next"),
    ("proxy.leg_due", "本段时限", "Leg due"),
    ("proxy.promised", "承诺办结日期", "Promised date"),
    ("proxy.late_legs", "超时段数", "Late legs"),
    ("proxy.record_title", "代办 {}", "Proxy line {}"),
    ("proxy.facts", "代办信息", "The line"),
    ("proxy.route", "流转路线", "Route"),
    ("proxy.contact", "联系人及电话", "Contact"),
    ("proxy.materials", "所收材料", "Materials taken"),
    ("proxy.giver", "交件人", "Handed over by"),
    ("proxy.signed_by", "签收人", "Signed for by"),
    ("proxy.receipt", "代办事项承办单", "Proxy receipt"),
    ("proxy.registered", "登记时间", "Registered"),
    (
        "proxy.applicant_sign",
        "申请人签字",
        "Applicant's signature",
    ),
    ("proxy.register", "登记代办", "Enter in the proxy ledger"),
    ("proxy.line", "代办台账", "Proxy line"),
    ("proxy_state.going_up", "报送中", "Going up"),
    (
        "proxy_state.at_deciding_unit",
        "审批中",
        "At the deciding unit",
    ),
    ("proxy_state.going_down", "结果回送中", "Coming back"),
    ("proxy_state.awaiting_pickup", "待领取", "Awaiting pickup"),
    ("proxy_state.delivered", "已送达", "Delivered"),
    ("proxy_event.registered", "登记代办", "Registered"),
    ("proxy_event.handed_over", "交接", "Handed over"),
    ("proxy_event.result_ready", "结果回送", "Result sent back"),
    ("proxy_event.delivered", "送达申请人", "Delivered"),
    ("proxy_action.receive", "接收", "Receive"),
    (
        "proxy_action.result_ready",
        "结果回送",
        "Send the result back",
    ),
    (
        "proxy_action.deliver",
        "送达申请人",
        "Deliver to the applicant",
    ),
    ("satisfaction.very_satisfied", "非常满意", "Very satisfied"),
    ("satisfaction.satisfied", "满意", "Satisfied"),
    ("satisfaction.acceptable", "基本满意", "Acceptable"),
    ("satisfaction.dissatisfied", "不满意", "Dissatisfied"),
    (
        "satisfaction.very_dissatisfied",
        "非常不满意",
        "Very dissatisfied",
    ), // Video monitoring (视频监控)
    ("nav.video", "视频监控", "Video"),
    ("finding.camera_offline", "摄像机离线", "Camera offline"),
    (
        "finding.appeal_acceptance_overdue",
        "投诉受理决定超期",
        "Complaint acceptance overdue",
    ),
    ("video.title", "视频监控", "Video monitoring"),
    (
        "video.lead",
        "每台摄像机的最新快照与状态；系统定时取图巡检，连续取图失败的摄像机判为离线并列入预警纠错",
        "each camera's latest snapshot and health; the system fetches a snapshot from every camera periodically, and a camera that fails several times in a row is offline and becomes a finding",
    ),
    ("video.in_service", "在用摄像机", "In service"),
    ("video.with_retired", "含已停用", "With retired"),
    ("video.outages", "离线记录", "Outages"),
    ("video.new", "登记摄像机", "Register a camera"),
    ("video.edit", "修改或移装", "Change or move"),
    ("video.camera", "摄像机", "Camera"),
    ("video.camera_no", "摄像机", "Camera"),
    ("video.name", "名称", "Name"),
    ("video.window", "窗口", "Window"),
    (
        "video.whole_unit",
        "（整个大厅或中心）",
        "(the hall or center as a whole)",
    ),
    (
        "video.window_hint",
        "对准窗口的摄像机每个窗口一台；换窗口即为移装，原安装记录保留",
        "one camera per window; choosing another window moves the camera, and its earlier placements are kept",
    ),
    ("video.device_id", "国标编码", "GB/T 28181 device ID"),
    (
        "video.device_id_hint",
        "GB/T 28181 国标编码，20位数字，类型编码131（摄像机）或132（网络摄像机）",
        "GB/T 28181 device ID: 20 digits, type code 131 (camera) or 132 (IP camera)",
    ),
    (
        "video.device_kind",
        "类型·区划·网络",
        "Type · division · network",
    ),
    ("video.stream_url", "视频流地址", "Stream address"),
    (
        "video.stream_url_hint",
        "rtsp:// 或 http(s)://，不含用户名和密码",
        "rtsp:// or http(s)://, without user name or password",
    ),
    ("video.snapshot_url", "快照地址", "Snapshot address"),
    (
        "video.snapshot_url_hint",
        "内网 http:// 取图地址，巡检时读取一张JPEG",
        "an http:// address on the private network; the probe fetches a JPEG from it",
    ),
    ("video.snapshot", "最新快照", "Latest snapshot"),
    ("video.no_snapshot", "暂无快照", "No snapshot yet"),
    ("video.taken_at", "取图", "taken"),
    ("video.last_probe", "最近巡检", "last probe"),
    ("video.last_ok", "最近正常", "Last answered"),
    ("video.last_millis", "最近巡检用时", "Last probe took"),
    ("video.failing_since", "异常开始于", "failing since"),
    ("video.last_error", "错误", "Error"),
    ("video.retired", "已停用", "Retired"),
    ("video.retire", "停用摄像机", "Retire the camera"),
    (
        "video.retire_hint",
        "停用后不再巡检，安装记录与离线记录保留",
        "a retired camera is no longer probed; its placements and outages are kept",
    ),
    ("video.placements", "安装记录", "Placements"),
    ("video.from", "起", "From"),
    ("video.until", "止", "Until"),
    ("video.now", "至今", "now"),
    ("video.changes", "状态变化", "Changes of health"),
    ("video.at", "时间", "At"),
    ("video.from_health", "原状态", "From"),
    ("video.to_health", "新状态", "To"),
    ("video.footage", "录像", "Footage"),
    (
        "video.event_title",
        "办件事件的录像",
        "Footage of a case's event",
    ),
    ("video.event_no", "第{}条记录", "event {}"),
    ("video.event_at", "事件时间", "Event at"),
    (
        "video.window_unknown",
        "排队记录未显示窗口",
        "the queue's tickets do not tell the window",
    ),
    ("video.period", "调阅时段", "Period to look at"),
    (
        "video.platform_hint",
        "凭国标编码和调阅时段向视频平台调取录像；调阅已记入审计日志",
        "ask the video platform for the recording by device ID and period; this look is in the audit log",
    ),
    ("video.window_camera", "窗口摄像机", "The window's camera"),
    ("video.unit_cameras", "大厅摄像机", "Cameras over the hall"),
    ("video.placed", "安装时段", "Placed"),
    (
        "video.none_covered",
        "该时刻没有对准该窗口的摄像机",
        "no camera watched the window at that moment",
    ),
    ("health.unknown", "未检测", "Not probed yet"),
    ("health.healthy", "正常", "Healthy"),
    ("health.failing", "异常", "Failing"),
    ("health.dead", "离线", "Offline"),
    ("health.recovering", "恢复中", "Recovering"),
    ("camera_type.camera", "摄像机", "Camera"),
    ("camera_type.ip_camera", "网络摄像机", "IP camera"),
    (
        "basis.case_ticket",
        "据该办件的排队号",
        "from the case's queue ticket",
    ),
    (
        "basis.clerk_ticket",
        "据经办人当时的叫号窗口",
        "from the clerk's ticket at that time",
    ),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use liandong_domain::case::{ActionName, CaseState, SpecialProcedure};
    use liandong_domain::organization::Role;

    #[test]
    fn every_key_is_unique_and_has_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (key, zh, en) in MESSAGES {
            assert!(seen.insert(key), "duplicate key {key}");
            assert!(!zh.is_empty() && !en.is_empty(), "{key} lacks a language");
            assert_eq!(
                zh.matches("{}").count(),
                en.matches("{}").count(),
                "{key}: both languages take the same arguments"
            );
        }
    }

    #[test]
    fn every_key_the_templates_use_is_in_the_table() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let pattern = [".t(\"", ".tf(\""];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for p in pattern {
                for (i, _) in text.match_indices(p) {
                    let rest = &text[i + p.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    assert!(
                        table().contains_key(key),
                        "{} uses the missing key {key}",
                        path.display()
                    );
                }
            }
        }
    }

    /// Pages name keys in Rust too (labels, headings): every literal that looks like a key of
    /// a known area ("org.edit") must be in the table.
    #[test]
    fn every_key_the_page_handlers_name_is_in_the_table() {
        let areas: std::collections::BTreeSet<&str> = table()
            .keys()
            .filter_map(|k| k.split_once('.').map(|(area, _)| area))
            .collect();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((area, name)) = literal.split_once('.') else {
                    continue;
                };
                let word = |w: &str| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                };
                let file = ["html", "csv", "xlsx", "css", "js", "json", "pdf"].contains(&name);
                if areas.contains(area) && word(name) && !file {
                    seen += 1;
                    assert!(
                        table().contains_key(literal),
                        "{} names the missing key {literal}",
                        path.display()
                    );
                }
            }
        }
        assert!(seen > 50, "the scan finds the handlers' keys ({seen})");
    }

    #[test]
    fn every_health_and_camera_type_has_words() {
        for h in liandong_domain::video::Health::ALL {
            assert!(table().contains_key(format!("health.{h}").as_str()), "{h}");
        }
        for t in [
            liandong_domain::video::CameraType::Camera,
            liandong_domain::video::CameraType::IpCamera,
        ] {
            assert!(
                table().contains_key(format!("camera_type.{t}").as_str()),
                "{t}"
            );
        }
        for b in [
            liandong_domain::video::WindowBasis::CaseTicket,
            liandong_domain::video::WindowBasis::ClerkTicket,
        ] {
            assert!(table().contains_key(format!("basis.{b}").as_str()), "{b}");
        }
    }

    #[test]
    fn every_appeal_state_and_refusal_ground_has_words() {
        use liandong_domain::appeal::{AppealState, RefusalGround};
        for s in [
            AppealState::PendingAcceptance,
            AppealState::Registered,
            AppealState::InProgress,
            AppealState::Answered,
            AppealState::Closed,
        ] {
            assert!(
                table().contains_key(format!("appeal_state.{s}").as_str()),
                "{s}"
            );
        }
        for g in RefusalGround::ALL {
            assert!(
                table().contains_key(format!("refusal_ground.{g}").as_str()),
                "{g}"
            );
        }
    }

    #[test]
    fn every_finding_kind_has_words() {
        for k in liandong_domain::supervision::FindingKind::ALL {
            assert!(table().contains_key(format!("finding.{k}").as_str()), "{k}");
        }
    }

    #[test]
    fn every_state_action_role_and_procedure_has_words() {
        for s in CaseState::ALL {
            assert!(table().contains_key(format!("state.{s}").as_str()), "{s}");
        }
        use ActionName as A;
        for a in [
            A::Accept,
            A::RefuseIntake,
            A::RequestSupplement,
            A::Supplement,
            A::Handle,
            A::Review,
            A::Approve,
            A::Deny,
            A::Conclude,
            A::ConcludeOnTheSpot,
            A::Return,
            A::StartSpecialProcedure,
            A::EndSpecialProcedure,
            A::GrantExtension,
            A::Withdraw,
        ] {
            assert!(table().contains_key(format!("action.{a}").as_str()), "{a}");
        }
        for r in Role::ALL {
            assert!(table().contains_key(format!("role.{r}").as_str()), "{r}");
        }
        for p in crate::view::PROCEDURES {
            let p: SpecialProcedure = p;
            assert!(
                table().contains_key(format!("procedure.{p}").as_str()),
                "{p}"
            );
        }
    }

    #[test]
    fn every_duty_state_action_reason_and_irregularity_has_words() {
        use liandong_domain::attendance::{
            DutyActionKind, DutyState, IrregularityKind, LeaveReason, PauseReason,
        };
        let mut keys: Vec<String> = Vec::new();
        keys.extend(DutyState::ALL.iter().map(|s| format!("duty_state.{s}")));
        keys.extend(
            DutyActionKind::ALL
                .iter()
                .map(|a| format!("duty_action.{a}")),
        );
        keys.extend(PauseReason::ALL.iter().map(|r| format!("pause_reason.{r}")));
        keys.extend(LeaveReason::ALL.iter().map(|r| format!("leave_reason.{r}")));
        keys.extend(
            [
                IrregularityKind::LateOpening,
                IrregularityKind::UnexplainedAbsence,
                IrregularityKind::ClosedDuringOfficeHours,
                IrregularityKind::EarlyLeave,
                IrregularityKind::LongPause,
            ]
            .iter()
            .map(|k| format!("irregularity.{k}")),
        );
        for key in keys {
            assert!(table().contains_key(key.as_str()), "{key}");
        }
    }

    #[test]
    fn a_bilingual_message_is_split_by_language() {
        assert_eq!(Lang::Zh.pick("未找到 / not found"), "未找到");
        assert_eq!(Lang::En.pick("未找到 / not found"), "not found");
        assert_eq!(Lang::En.tf("common.total", 3), "3 in all");
    }
}
