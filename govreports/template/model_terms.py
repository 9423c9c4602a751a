"""Chinese vocabulary of the statistical models (:mod:`govreports.study.models`): plot labels, regions.

Every CJK string the models module needs lives here, so ``govreports/models.py`` holds no
Chinese literal. Keys are the dataset's English codes (``level``, ``kind``, model terms).
"""

# --- macro-regions (National Bureau of Statistics: east / central / west / northeast) -------

# Province names as the dataset writes them start with these (cpca's full names, e.g. 湖南省,
# 广西壮族自治区); a province is matched by prefix. Hong Kong, Macao and Taiwan have no region.
MACRO_REGION_PROVINCES = {
    "east": ("北京", "天津", "河北", "上海", "江苏", "浙江", "福建", "山东", "广东", "海南"),
    "central": ("山西", "安徽", "江西", "河南", "湖北", "湖南"),
    "west": ("内蒙古", "广西", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"),
    "northeast": ("辽宁", "吉林", "黑龙江"),
}

# --- category labels ------------------------------------------------------------------------

LEVEL_ZH = {"province": "省级", "prefecture": "地市级", "county": "县级", "township": "乡镇级"}
KIND_ZH = {"government": "政府", "department": "部门"}
TEMPLATE_ZH = {"2019": "2019年版模板", "2021": "2021年版模板"}
MACRO_REGION_ZH = {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"}

# Covariate names, as printed before a category ("行政级别: 地市级").
COVARIATE_ZH = {
    "level": "行政级别",
    "kind": "机关类型",
    "template": "模板",
    "province": "省份",
    "macro_region": "地区",
    "years_since_2021": "年份(相对2021年)",
    "log_applications": "申请量 ln(1+新收)",
    "natural_person_share": "自然人申请占比",
    "Intercept": "截距",
    "sd(province)": "省份随机截距标准差",
}

# --- model and axis labels ------------------------------------------------------------------

MODEL_ZH = {
    "disclosure_binomial": "公开率: 二项 logit (按机关聚类标准误)",
    "disclosure_quasibinomial": "公开率: 准二项 logit",
    "disclosure_mixed": "公开率: 多层 logit (省份随机截距)",
    "not_held_binomial": "本机关不掌握占比: 二项 logit",
    "not_held_quasibinomial": "本机关不掌握占比: 准二项 logit",
    "not_processed_binomial": "不予处理占比: 二项 logit",
    "not_processed_quasibinomial": "不予处理占比: 准二项 logit",
    "volume_negbin": "新收申请数: 负二项",
    "reconsideration_poisson": "行政复议数: 泊松",
    "reconsideration_negbin": "行政复议数: 负二项",
    "litigation_poisson": "行政诉讼数: 泊松",
    "litigation_negbin": "行政诉讼数: 负二项",
}

COEFFICIENT_PLOT_TITLE = "系数 (比值比 / 率比, 95% 区间)"
COEFFICIENT_AXIS = "比值比 / 率比 (对数刻度)"
# Outcomes of the share models, for the predicted-rate plot's title.
OUTCOME_ZH = {
    "disclosure": "公开率 (予以公开+部分公开)/(七)总计",
    "not_held": "本机关不掌握占比",
    "not_processed": "不予处理占比",
}
PREDICTED_TITLE = "预测值, 按行政级别和机关类型: "
PREDICTED_AXIS = "预测比例 (95% 区间)"
LEVEL_AXIS = "行政级别"
