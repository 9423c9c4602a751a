"""Chinese words of the study notebook's prose (notebooks/study.ipynb, govreports/study/paper.py).

The paper is written in English and quotes the template's own Chinese terms; each lives here so that
no Chinese literal is typed outside ``govreports/template/``.
"""

TITLE = ("政府信息公开工作年度报告研究", "What China's government information disclosure annual reports record")
NOT_HELD = "本机关不掌握"  # 表三 四、(四)无法提供 1.本机关不掌握相关政府信息
NOT_EXIST = "信息不存在"  # the pre-2019 forms' answer that the information does not exist
UNAVAILABLE = "无法提供"
DENIED = "不予公开"
NOT_PROCESSED = "不予处理"
GRANTED = "予以公开"
PARTLY = "部分公开"
HANDLED = "(七)总计"
NEW = "本年新收"
RECONSIDERATION = "行政复议"
LITIGATION = "行政诉讼"
CORRECTED = "纠正"
REPORT = "政府信息公开工作年度报告"
SUMMARY = "汇总"  # a jurisdiction-wide summary of many agencies' reports
FORM_2014 = "政府信息公开情况统计表"
TEMPLATE_2021 = "国办公开办函〔2021〕30号"
REGULATION = "政府信息公开条例"

# Section headings: (Chinese, English).
SECTIONS = {
    "questions": ("研究问题", "Questions"),
    "data": ("数据与覆盖面", "Data and coverage"),
    "methods": ("方法", "Methods"),
    "findings": ("结果", "Findings"),
    "volume": ("申请数量及其集中度", "Volume and its concentration"),
    "answers": ("申请如何办理", "How requests are answered"),
    "grounds": ("本机关不掌握及其他不公开理由", "Not held and the other grounds for not disclosing"),
    "review": ("行政复议与行政诉讼", "Reconsideration and litigation"),
    "change": ("历年变化与模板更替", "Change over the years and across templates"),
    "limitations": ("局限", "Limitations"),
}

ERAS = {
    "2014": ("2019年前地方统计表", "pre-2019 local forms"),
    "2019": ("2019年版模板", "2019 national template"),
    "2021": ("2021年版模板", "2021 national template"),
}

# Table headers of the study notebook: (Chinese, English).
COLUMNS = {
    "era": ("报表形式", "form"),
    "total": ("合计", "total"),
    "governments": ("应报政府数", "governments that should report"),
    "with_report": ("有报告的政府", "with a report"),
    "coverage": ("覆盖率", "coverage"),
    "government_reports": ("政府报告数", "government reports"),
    "agency_years": ("应报机关年", "agency-years due"),
    "agency_year_coverage": ("机关年覆盖率", "agency-year coverage"),
    "reports": ("报告数", "reports"),
    "received": ("收到申请", "applications received"),
    "answered": ("答复申请", "applications answered"),
    "granted": ("公开(含部分)", "granted, in full or in part"),
    "refused": ("不予公开", "refused"),
    "not_held": ("不掌握/信息不存在", "not held / does not exist"),
}
