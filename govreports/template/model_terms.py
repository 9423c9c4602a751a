"""Chinese vocabulary of the statistical models (:mod:`govreports.study.models`): plot labels, regions.

Every CJK string the models package needs lives here, so ``govreports/study/models/`` holds no
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

COEFFICIENT_PLOT_TITLE = "系数 (比值比 / 率比, 95% 区间) / Coefficients (odds or rate ratios, 95% intervals)"
COEFFICIENT_AXIS = "比值比 / 率比 (对数刻度) / odds or rate ratio (log scale)"
# Outcomes of the share models, for the predicted-rate plot's title.
OUTCOME_ZH = {
    "disclosure": "公开率 (予以公开+部分公开)/(七)总计",
    "not_held": "本机关不掌握占比",
    "not_processed": "不予处理占比",
}
OUTCOME_EN = {"disclosure": "disclosure rate, (granted + partly granted) / handled",
              "not_held": "share not held by the agency", "not_processed": "share not processed"}
PREDICTED_TITLE = "平均预测值 (总体平均) / average predictions (population-averaged): "
PREDICTED_AXIS = "预测比例 (95% 区间) / predicted share (95% interval)"
LEVEL_AXIS = "行政级别 / level"

# --- English labels (bilingual tables and plots) --------------------------------------------

LEVEL_EN = {"province": "provincial", "prefecture": "prefectural", "county": "county", "township": "township"}
KIND_EN = {"government": "government", "department": "department"}
TEMPLATE_EN = {"2019": "2019 template", "2021": "2021 template"}
MACRO_REGION_EN = {"east": "east", "central": "central", "west": "west", "northeast": "northeast"}
COVARIATE_EN = {
    "level": "Level",
    "kind": "Agency type",
    "template": "Template",
    "province": "Province",
    "macro_region": "Region",
    "years_since_2021": "Year (minus 2021)",
    "year_fe": "Year",
    "log_applications": "Applications ln(1+new)",
    "natural_person_share": "Share from natural persons",
    "no_new": "No new application",
    "log_new": "ln(new applications)",
    "Intercept": "Intercept",
    "sd(province)": "SD of province intercepts",
    "sd(agency)": "SD of agency intercepts",
}
COVARIATE_ZH.update({
    "year_fe": "年份",
    "no_new": "无新收申请",
    "log_new": "ln(新收申请)",
    "sd(agency)": "机关随机截距标准差",
})
MODEL_ZH.update({
    "disclosure_quasibinomial": "公开率: 准二项 logit (忽略聚类, 仅作对照)",
    "not_held_quasibinomial": "本机关不掌握占比: 准二项 logit (忽略聚类, 仅作对照)",
    "not_processed_quasibinomial": "不予处理占比: 准二项 logit (忽略聚类, 仅作对照)",
    "disclosure_mixed": "公开率: 多层 logit (省份随机截距, 条件效应)",
    "disclosure_mixed_agency": "公开率: 多层 logit (机关随机截距, 条件效应)",
})
# Rows of the side-by-side table below the coefficients: (key, Chinese, English).
COMPARISON_ROWS = (
    ("n", "报告数", "Reports"),
    ("clusters", "聚类数", "Clusters"),
    ("clustering", "聚类方式", "Clustered by"),
    ("year_fe", "年份固定效应", "Year fixed effects"),
    ("region_fe", "地区固定效应", "Region fixed effects"),
    ("scale_type", "效应类型", "Effects"),
    ("loglik", "对数似然", "Log-likelihood"),
    ("aic", "AIC", "AIC"),
    ("status", "状态", "Status"),
)
YES_NO = {True: "是 / yes", False: "否 / no"}
POPULATION_AVERAGED = "总体平均 / population-averaged"
CONDITIONAL = "条件 (随机效应 = 0) / conditional (random effect = 0)"
