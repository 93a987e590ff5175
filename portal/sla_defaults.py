"""The deadline table of DOMAIN.md R-CFG, as seeded into the SlaRule register
(editable by the administrator). Units are kept as the documents write them
(R-CFG-02): clock hours, calendar days, working days, working hours.

key: (value, unit, label, clock, source)
"""
SLA_DEFAULTS = {
    # complaints and consultations
    "consult_reply": (24, "hours", "咨询答复时限", "登记→答复", "002 篇一 (三)(一)"),
    "suggestion_reply": (7, "days", "建议答复承诺期限（默认）", "上报领导→答复", "002 篇一 (三)(二)（期限由承诺决定，默认值可配置）"),
    "escalation_step": (1, "working_days", "升级后新层级的处理期限", "升级→处理", "000-二 §三.5（期限未规定，可配置）"),
    "complaint_close": (3, "working_days", "投诉处理期限", "受理→结案", "002 篇一 (四)"),
    "complaint_close_special": (7, "working_days", "特殊投诉处理期限", "受理→结案", "002 篇一 (四)"),
    "complaint_close_retail": (7, "days", "门店投诉结案期限", "受理→结案", "002 篇四 第二十六条"),
    "kesu_close_domestic": (15, "days", "客诉结案期限（国内）", "总经理室受理→结案", "002 篇五 第十条(一)"),
    "kesu_close_foreign": (20, "days", "客诉结案期限（国外）", "总经理室受理→结案", "002 篇五 第十条(一)"),
    "kesu_quality_report": (3, "days", "质量部调查报告期限", "调查→报告总经理", "002 篇五 第九条(二)"),
    "kesu_gm_office_opinion": (1, "days", "总经理室综合意见期限", "收到交涉结果→综合意见", "002 篇五 第九条(五)"),
    "complaint_close_domestic_11": (15, "days", "投诉处理期限（国内，篇十一）", "市场部受理→处理完毕", "002 篇十一"),
    "complaint_close_foreign_11": (18, "days", "投诉处理期限（国外，篇十一）", "市场部受理→处理完毕", "002 篇十一"),
    "stage_sales_branch": (5, "days", "销售分公司阶段期限", "阶段", "002 篇十一"),
    "stage_market_dept": (7, "days", "市场部阶段期限", "阶段（含加工单位2天）", "002 篇十一"),
    "stage_processing_unit": (2, "days", "加工单位阶段期限", "阶段", "002 篇十一"),
    "unsatisfied_customer_reply": (15, "days", "不满意顾客答复期限", "告知顾客→答复", "002 篇十一"),
    "quality_written_reply": (1, "working_days", "品质部书面回复期限", "收到顾客投诉处理单→书面回复", "004 §5.3"),
    "feedback_AA": (24, "hours", "AA级信息处理及答复时限", "收到→处理并答复", "003 §4.2"),
    "feedback_A": (48, "hours", "A级信息处理及答复时限", "收到→处理并答复", "003 §4.2"),
    "feedback_B": (72, "hours", "B级信息处理及答复时限", "收到→处理并答复", "003 §4.2"),
    "inquiry_reply": (0, "end_of_day", "查询答复时限（当天）", "收到→答复", "004 §5.2"),
    "inquiry_reply_collect": (3, "working_days", "需收集资料的查询答复时限", "收到→答复", "004 §5.2"),
    "inquiry_estimate": (7, "days", "无法一周内答复时告知预计完成日期", "收到→告知", "004 §5.2"),
    # repair
    "dispatch_urban": (6, "working_hours", "市区派工到达时限", "叫修→抵达", "001-售后 第二章 第十二条"),
    "dispatch_suburban": (7, "working_hours", "郊区派工到达时限", "叫修→抵达", "001-售后 第二章 第十二条"),
    "undispatched_priority": (1, "end_of_day", "未派工叫修次日优先派工", "叫修→次日", "001-售后 第二章 第十一条"),
    "warranty_notice": (1, "months", "保修到期前寄送通知书", "到期前", "001-售后 第二章 第十三条"),
    # proposals
    "proposal_analysis": (1, "months", "提案研究分析期限", "受理→结果", "001-提案 第五条.3"),
    "proposal_benefit_period": (12, "months", "提案成果享有期", "采纳→", "001-提案 第六条"),
    "proposal_plan": (6, "months", "提案目标和收集计划周期", "每半年", "001-提案 第四条"),
    # statistics and reports
    "stats_001": (5, "day_of_next_month", "投诉统计表报送（次月5日前）", "月末→", "001-投诉 第十九条"),
    "stats_retail": (10, "day_of_next_month", "投诉统计表报送（次月10日前）", "月末→", "002 篇四 第二十七条"),
    "stats_kesu": (10, "day_of_next_month", "客诉案件统计表（次月10日前）", "月末→", "002 篇五 第九条(九)"),
    "kesu_sanction_review": (10, "day_of_next_month", "客诉行政处理审核（次月10日前）", "月末→", "002 篇五 第十二条(一)"),
    "demand_stats": (5, "day_of_next_month", "产品需求信息月度统计上报", "月末→", "000-一 第十一条（日期未规定，可配置）"),
    "patrol_monthly_report": (5, "day_of_next_month", "每月巡访情况报告书", "月末→", "001-服务 第十条（日期未规定，可配置）"),
    "archive_monthly": (10, "day_of_next_month", "部门档案月度归档（每月10日前）", "月末→", "002 篇十二 第一节 第四条(二)"),
    # customer tracking cadence (R-TRK-01..03; D is not defined by 001: configurable)
    "tracking_A": (1, "months", "A类客户跟踪周期", "上次跟踪→", "000-一 第六条"),
    "tracking_B": (3, "months", "B类客户跟踪周期", "上次跟踪→", "000-一 第七条"),
    "tracking_C": (6, "months", "C类客户跟踪周期", "上次跟踪→", "000-一 第八条"),
    "tracking_D": (12, "months", "D类客户跟踪周期", "上次跟踪→", "001-服务 第四条（未规定，可配置）"),
    "demand_class2_followup": (30, "days", "二类需求信息跟踪周期", "上次跟踪→", "000-一 第九条（周期未规定，可配置）"),
    "demand_class1_followup": (7, "days", "一类需求信息跟踪周期", "上次跟踪→", "000-一 第九条"),
    "visit_report_submit": (7, "days", "客户访问表上报期限", "访问→上报", "000-一 第十五条（未规定，默认每周）"),
    "records_binding": (1, "day_of_next_month", "长期记录每年元月装订移交", "年末→", "000-四 452"),
    "satisfaction_plan": (1, "months", "顾客满意度调查计划完成期限（12月底前）", "上一年度12月1日起→", "004 §5.2"),
    "stats_half_year": (10, "day_of_next_month", "半年投诉汇总（6月、12月前10日）", "5月/11月→", "002 篇十一"),
    "records_inspection": (6, "months", "客户服务体系记录检查周期", "上次检查→", "000-四 454"),
    # consumer files and revisits (002 篇三)
    "consumer_file_submit": (1, "end_of_day", "顾客档案表交销售经理（最迟次日）", "活动→", "002 篇三 二.5"),
    "revisit_rep_buyer_1": (3, "days", "满意代表回访购买顾客（第1次）", "制成→", "002 篇三 二.7"),
    "revisit_rep_buyer_2": (30, "days", "满意代表回访购买顾客（第2次）", "制成→", "002 篇三 二.7"),
    "revisit_rep_buyer_3": (60, "days", "满意代表回访购买顾客（第3次）", "制成→", "002 篇三 二.7"),
    "revisit_rep_nonbuyer_1": (3, "days", "满意代表回访未购买顾客（第1次）", "制成→", "002 篇三 二.7"),
    "revisit_rep_nonbuyer_2": (15, "days", "满意代表回访未购买顾客（第2次）", "制成→", "002 篇三 二.7"),
    "revisit_doctor_buyer_1": (15, "days", "顾服主管医生回访购买顾客（第1次）", "制成→", "002 篇三 二.7"),
    "revisit_doctor_buyer_2": (30, "days", "顾服主管医生回访购买顾客（第2次）", "制成→", "002 篇三 二.7"),
    "revisit_doctor_buyer_3": (60, "days", "顾服主管医生回访购买顾客（第3次）", "制成→", "002 篇三 二.7"),
    "archive_loan_consumer": (0, "end_of_day", "顾客档案表借出当日归还", "借出→归还", "002 篇三 二.9"),
    "borrow_default": (7, "days", "借阅默认期限", "借出→归还", "000-四 46（期限未规定，可配置）"),
    "borrow_max": (30, "days", "借阅最长期限", "借出→归还", "门户规则"),
    # customer engineering (002 篇八)
    "eng_completion_report": (3, "days", "竣工后提出竣工报告", "竣工→报告", "002 篇八 第二十七条"),
    "eng_meter_notice": (1, "days", "验收后发出装表通知单", "验收→通知", "002 篇八 第二十九条"),
    "eng_metering": (2, "days", "完善计量装置", "通知→完成", "002 篇八 第二十九条"),
    "eng_post_supply_check": (1, "months", "供电后现场核查", "供电→核查", "002 篇八 第三十一条"),
}
