"""Chinese labels of the study's figures and tables, each with its English twin.

Every label is a ``(Chinese, English)`` pair; :mod:`govreports.study.figures` joins them. Category
maps are keyed by the values the processed dataset stores (``level``, ``kind``, ``status``, ...).
"""

LEVELS = {
    "province": ("省级", "province"),
    "prefecture": ("地市级", "prefecture"),
    "county": ("县级", "county"),
    "township": ("乡镇级", "township"),
}

KINDS = {
    "government": ("政府", "government"),
    "department": ("部门", "department"),
}

STATUSES = {
    "valid": ("有效", "valid"),
    "repaired": ("已修复", "repaired"),
    "invalid": ("无效", "invalid"),
    "failed": ("失败", "failed"),
    "duplicate": ("重复", "duplicate"),
    "skipped": ("跳过", "skipped"),
}

OUTCOMES = {
    "granted": ("予以公开", "granted"),
    "partially_granted": ("部分公开", "partly granted"),
    "denied": ("不予公开", "denied"),
    "unavailable": ("无法提供", "unavailable"),
    "not_processed": ("不予处理", "not processed"),
    "other": ("其他处理", "other handling"),
}

REPAIR_KINDS = {
    "lost_cell": ("补全缺失单元格", "lost cell"),
    "run_together": ("拆分粘连数字", "run together"),
    "split_apart": ("合并拆开数字", "split apart"),
}

CHECK_RESULTS = {
    "passed": ("通过", "passed"),
    "failed": ("未通过", "failed"),
    "unevaluable": ("无法检验", "unevaluable"),
}

TEMPLATES = {
    "2019": ("2019年版模板", "2019 template"),
    "2021": ("2021年版模板", "2021 template"),
}

# Axis labels, legend titles and notes (units in the English part, after a comma).
TERMS = {
    "reports": ("报告数", "reports"),
    "reports_axis": ("报告数(份)", "number of reports"),
    "applications_axis": ("本年新收申请(件)", "new applications"),
    "applications_log_axis": ("本年新收申请(件,对数刻度)", "new applications, log scale"),
    "handled_share_axis": ("占办结申请比例(%)", "share of applications handled, %"),
    "rate_axis": ("比率(%)", "rate, %"),
    "per_100_axis": ("每百件新收申请(件)", "cases per 100 new applications"),
    "share_axis": ("占比(%)", "share, %"),
    "cumulative_share_axis": ("累计占比(%)", "cumulative share, %"),
    "items_axis": ("数量(件)", "items"),
    "year": ("年度", "year"),
    "province": ("省份", "province"),
    "agency": ("机关", "agency"),
    "level": ("层级", "level"),
    "kind": ("类型", "kind"),
    "status": ("解析状态", "parse status"),
    "outcome": ("办理结果", "outcome"),
    "reason": ("理由", "reason"),
    "region": ("本地区", "this region"),
    "rest": ("其他地区", "rest of the corpus"),
    "top_agencies": ("前N个机关", "top N agencies"),
    "source": ("来源", "Source"),
    "disclosure_rate": ("公开率", "disclosure rate"),
    "denial_rate": ("不予公开率", "denial rate"),
    "reconsideration": ("行政复议", "administrative reconsideration"),
    "litigation": ("行政诉讼", "administrative litigation"),
    "reconsideration_correction_rate": ("行政复议纠错率", "reconsideration correction rate"),
    "litigation_correction_rate": ("行政诉讼纠错率", "litigation correction rate"),
    "ci_note": ("误差线为95% Wilson置信区间", "error bars: Wilson 95% intervals"),
    "unknown": ("未知", "unknown"),
}

# The report index (reports/index.html): headings and column names.
INDEX = {
    "title": ("政府信息公开工作年度报告研究", "Study of government information disclosure annual reports"),
    "year": ("年度报告", "Years"),
    "region": ("地区报告", "Regions"),
    "quality": ("数据质量", "Data quality"),
    "models": ("模型", "Models"),
    "other": ("其他", "Other notebooks"),
    "failed": ("运行失败", "Failed notebooks"),
    "report": ("报告", "report"),
    "notebook": ("已执行的笔记本", "executed notebook"),
    "reports": ("报告数", "reports"),
    "usable": ("有效或已修复", "valid or repaired"),
    "new_applications": ("本年新收申请", "new applications"),
    "disclosure_rate": ("公开率", "disclosure rate"),
    "dataset": ("数据集", "dataset"),
    "stale": ("数据集版本不同", "made from another dataset version"),
    "error": ("错误", "error"),
}
