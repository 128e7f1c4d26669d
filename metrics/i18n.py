"""The label catalogue (Vietnamese and English side by side) and number/date formatting.

Every user-visible word comes from LABELS; pages, reports and charts call `t(key, lang)`.
Numbers are written 1.234,5 and dates dd/mm/yyyy in Vietnamese; 1,234.5 and dd/mm/yyyy in English.
"""

from __future__ import annotations

import math
from datetime import date, datetime

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

LABELS: dict[str, tuple[str, str]] = {
    # app shell
    "app_title": ("Chuyển đổi số cấp xã", "Commune digital transformation"),
    "app_subtitle": (
        "Bảng điều khiển Bình dân học vụ số: hồ sơ trực tuyến, ký số, chỉ số phục vụ",
        "Popular Digital Education dashboard: online filings, digital signatures, service index",
    ),
    "demo_banner": (
        "Dữ liệu minh họa (demo): số liệu được sinh tự động, không phải số liệu thật.",
        "Demo data: figures are generated, not real.",
    ),
    "no_warehouse": (
        "Chưa có kho dữ liệu. Chạy `make run` (tự tạo dữ liệu minh họa) hoặc "
        "`python -m etl load TỆP` để nạp tệp.",
        "No warehouse yet. Run `make run` (builds the demo) or `python -m etl load FILE`.",
    ),
    "warehouse_damaged": (
        "Không đọc được kho dữ liệu: tệp bị hỏng hoặc không phải kho dữ liệu. Người quản trị "
        "dữ liệu chạy `python -m etl rebuild` (dựng lại từ các tệp đã lưu) hoặc khôi phục bản sao "
        "lưu, rồi tải lại trang.",
        "The warehouse cannot be read: the file is damaged or is not a warehouse. The data "
        "steward runs `python -m etl rebuild` (rebuilds it from the kept files) or restores a "
        "backup; then reload the page.",
    ),
    "coverage": ("Phạm vi dữ liệu", "Data coverage"),
    "data_as_of": ("Dữ liệu đến", "Data as of"),
    "source": ("Nguồn", "Source"),
    "rows": ("Số dòng", "Rows"),
    "communes_with_data": ("Số xã có dữ liệu", "Communes with data"),
    "communes_in_scope": ("Tổng số xã", "Communes in scope"),
    "first_month": ("Tháng đầu", "First month"),
    "last_month": ("Tháng cuối", "Last month"),
    "source_dossiers": ("Hồ sơ TTHC", "Dossiers"),
    "source_signatures": ("Ký số văn bản", "Digital signatures"),
    "source_index": ("Chỉ số phục vụ (766)", "Service index (766)"),
    "language": ("Ngôn ngữ", "Language"),
    # service index: computed from dossiers, what it takes, rankings (metrics/service_index.py)
    "index_published_score": ("Điểm công bố", "Published score"),
    "index_computed_score": ("Điểm tính từ hồ sơ (ước tính)", "Computed from dossiers (estimate)"),
    "index_published_minus_computed": ("Chênh lệch (công bố − tính)", "Difference (published − computed)"),
    "index_flagged": ("Lệch quá {tolerance} điểm", "Differs by more than {tolerance} points"),
    "index_coverage_full": ("Tính được đầy đủ từ hồ sơ", "Fully computable from dossiers"),
    "index_coverage_partial": ("Ước tính một phần từ hồ sơ", "Partly estimated from dossiers"),
    "index_coverage_none": ("Không tính được từ hồ sơ", "Not computable from dossiers"),
    "index_rules_unconfirmed": (
        "Quy tắc tính điểm là giả định (chưa được xác nhận chính thức) và có thể điều chỉnh.",
        "The scoring rules are assumptions (not officially confirmed) and can be changed.",
    ),
    "index_status_partial": ("Chưa đủ nhóm chỉ số — chưa xếp hạng", "Partial group set — not ranked"),
    "index_basis_portal": ("Theo bảng xếp hạng của Cổng DVC quốc gia", "From the national portal's ranking"),
    "index_basis_commune_average": ("Trung bình điểm các xã đã xếp hạng", "Average of the ranked communes"),
    "index_tier_1": ("Nhóm dẫn đầu", "Best performers"),
    "index_tier_2": ("Nhóm trung bình cao", "High average"),
    "index_tier_3": ("Nhóm trung bình thấp", "Low average"),
    "index_tier_4": ("Nhóm thấp nhất", "Poorest performers"),
    "index_action_fewer_overdue": (
        "Mỗi hồ sơ quá hạn làm mất {per_dossier} điểm (= {max_score} / {base}); giải quyết đúng hạn thêm "
        "{count} hồ sơ{threshold_clause}: +{points} điểm.",
        "Each overdue dossier costs {per_dossier} points (= {max_score} / {base}); {count} fewer overdue "
        "{dossiers}{threshold_clause}: +{points} points.",
    ),
    "index_action_fewer_overdue_satisfaction": (
        "Giảm {count} hồ sơ quá hạn trên {base} hồ sơ{threshold_clause}: +{points} điểm (phần giải quyết "
        "hồ sơ).",
        "{count} fewer overdue {dossiers} out of {base}{threshold_clause}: +{points} points (the processing "
        "part).",
    ),
    "index_action_more_online": (
        "Thêm {count} hồ sơ nộp trực tuyến (KenhThucHien = 2) trên tổng {base} hồ sơ{threshold_clause}: "
        "+{points} điểm.",
        "{count} more online {dossiers} (KenhThucHien = 2) out of {base}{threshold_clause}: +{points} points.",
    ),
    "index_action_more_paid_online": (
        "Thêm {count} hồ sơ thanh toán trực tuyến trên tổng {base} hồ sơ{threshold_clause}: +{points} điểm.",
        "{count} more {dossiers} paid online out of {base}{threshold_clause}: +{points} points.",
    ),
    "index_action_more_digitized": (
        "Số hóa thêm {count} hồ sơ trên tổng {base} hồ sơ{threshold_clause}: +{points} điểm.",
        "{count} more digitized {dossiers} out of {base}{threshold_clause}: +{points} points.",
    ),
    "index_threshold_clause": (" để đạt ngưỡng {threshold}", " to reach the {threshold} threshold"),
    "index_dossier_one": ("hồ sơ", "dossier"),
    "index_dossier_many": ("hồ sơ", "dossiers"),
    "index_points_other": (
        " Còn {points} điểm nằm ở các chỉ tiêu không có trong hồ sơ ({indicators}).",
        " The other {points} points lie in indicators the dossiers do not show ({indicators}).",
    ),
    "index_action_not_computable": (
        "Mất {points} điểm ở các chỉ tiêu không tính được từ hồ sơ ({indicators}).",
        "{points} points lost in indicators the dossiers cannot tell ({indicators}).",
    ),
    "index_action_not_from_dossiers": (
        "Theo hồ sơ đã đạt tối đa; {points} điểm bị mất nằm ở các chỉ tiêu "
        "không có trong hồ sơ ({indicators}).",
        "Full points by the dossiers; the {points} points lost lie in "
        "indicators the dossiers do not show ({indicators}).",
    ),
    "index_action_full_points": ("Đạt điểm tối đa.", "Full points."),
    "index_action_no_dossiers": (
        "Không có hồ sơ trong kỳ để ước tính.",
        "No dossiers in the period to estimate from.",
    ),
    "index_action_not_published": (
        "Chưa công bố và không tính được từ hồ sơ.",
        "Not published and not computable from dossiers.",
    ),
    "index_target_pass": (
        "Cần thêm {points} điểm để vượt {name} (hạng {rank}, {total} điểm).",
        "{points} more points pass {name} (rank {rank}, {total} points).",
    ),
    "index_target_cheapest": (
        " Nhóm dễ tìm điểm nhất: {group}, {count} hồ sơ.",
        " Cheapest group: {group}, {count} {dossiers}.",
    ),
    "index_target_not_enough": (
        " Không nhóm nào đủ một mình; nhiều điểm nhất trên mỗi hồ sơ: {group} ({count} hồ sơ).",
        " No single group is enough; most points per dossier: {group} ({count} {dossiers}).",
    ),
    "index_target_first": ("Đang đứng đầu tỉnh ({total} điểm).", "First in the province ({total} points)."),
    "index_target_partial": (
        "Chưa xếp hạng: mới công bố {published}/{expected} nhóm chỉ số trong kỳ.",
        "Not ranked: {published} of {expected} groups published for the period.",
    ),
    "index_target_unpublished": (
        "Chưa có kết quả chỉ số công bố cho kỳ này.",
        "No published index for this period.",
    ),
    # dashboard (issue 3): navigation, filters, notices
    "nav_province": ("Tổng quan tỉnh", "Province overview"),
    "nav_national": ("Toàn quốc", "National view"),
    "nav_commune": ("Hồ sơ xã", "Commune profile"),
    "nav_filings": ("Hồ sơ trực tuyến", "Online filings"),
    "nav_signatures": ("Ký số", "Digital signatures"),
    "nav_index": ("Chỉ số phục vụ", "Service index"),
    "nav_quality": ("Chất lượng dữ liệu", "Data quality"),
    "q_province": (
        "Các xã của tỉnh đang ở đâu: ai dẫn đầu, ai tụt lại, ai thay đổi nhiều nhất, ai còn xa mục tiêu.",
        "Where the province's communes stand: who leads, who lags, who moved most, who is furthest "
        "from target.",
    ),
    "q_national": (
        "34 tỉnh, thành phố so sánh trên cùng các chỉ tiêu. Bấm vào một tỉnh để xem chi tiết.",
        "The 34 provinces compared on the same figures. Click a province to drill in.",
    ),
    "q_commune": (
        "Xã đang làm tốt đến đâu so với kỳ trước, trung vị của tỉnh và mục tiêu?",
        "How the commune is doing against the previous period, the province median and the target.",
    ),
    "q_filings": (
        "Người dân nộp hồ sơ qua kênh nào, hồ sơ có được giải quyết đúng hạn không, chậm ở thủ tục nào?",
        "How people file, whether dossiers are handled on time, and which procedures run late.",
    ),
    "q_signatures": (
        "Xã nào đã ký số toàn bộ văn bản đi (trừ văn bản mật)?",
        "Which communes sign every non-classified outgoing document digitally?",
    ),
    "q_index": (
        "Xếp hạng Bộ chỉ số phục vụ (QĐ 766): ai đứng đâu, thứ hạng thay đổi thế nào, nhóm nào làm mất "
        "nhiều điểm nhất.",
        "Service-index ranking (Decision 766): who ranks where, how ranks moved, which group costs most "
        "points.",
    ),
    "q_quality": (
        "Dữ liệu đã nạp những gì, dòng nào bị loại và vì sao, xã nào còn thiếu, dữ liệu mới đến đâu.",
        "What was loaded, which rows were rejected and why, which communes are missing, how fresh "
        "the data is.",
    ),
    "filter_province": ("Tỉnh/thành phố", "Province"),
    "filter_commune": ("Xã/phường", "Commune"),
    "filter_all_communes": ("— Toàn tỉnh —", "— Whole province —"),
    "filter_period_type": ("Loại kỳ", "Period type"),
    "period_type_month": ("Tháng", "Month"),
    "period_type_quarter": ("Quý", "Quarter"),
    "period_type_year": ("Năm", "Year"),
    "filter_period": ("Kỳ báo cáo", "Period"),
    "share_hint": (
        "Địa chỉ trang chứa các bộ lọc: sao chép và gửi để người nhận thấy đúng màn hình này.",
        "The page address holds the filters: copy and send it to share this exact view.",
    ),
    "notice_bad_province": (
        "Không có tỉnh/thành phố mã {value} — đang hiển thị {fallback}.",
        "No province with code {value} — showing {fallback}.",
    ),
    "notice_bad_commune": (
        "Không có xã/phường mã {value} — đang hiển thị toàn tỉnh.",
        "No commune with code {value} — showing the whole province.",
    ),
    "notice_commune_not_in_province": (
        "{commune} không thuộc {province} — đang hiển thị toàn tỉnh.",
        "{commune} is not in {province} — showing the whole province.",
    ),
    "notice_bad_period": (
        "Kỳ {value} không hợp lệ (dạng 2025-10, 2025-Q4 hoặc 2025) — đang hiển thị {fallback}.",
        "Period {value} is not valid (use 2025-10, 2025-Q4 or 2025) — showing {fallback}.",
    ),
    "notice_period_no_data": (
        "Kỳ {value} không có dữ liệu — đang hiển thị {fallback}.",
        "No data for {value} — showing {fallback}.",
    ),
    "notice_bad_lang": (
        "Ngôn ngữ {value} không được hỗ trợ (vi, en) — đang dùng tiếng Việt. / "
        "Language {value} is not supported — using Vietnamese.",
        "Language {value} is not supported (vi, en) — using Vietnamese.",
    ),
    # dashboard: metrics, units, references
    "m_online_rate": ("Tỷ lệ hồ sơ trực tuyến", "Online filing rate"),
    "m_online_full_rate": ("Tỷ lệ trực tuyến toàn trình", "Full-online rate"),
    "m_on_time_rate": ("Tỷ lệ giải quyết đúng hạn", "On-time rate"),
    "m_signature_rate": ("Tỷ lệ văn bản ký số", "Digital signature rate"),
    "m_paid_online_rate": ("Tỷ lệ thanh toán trực tuyến", "Paid online rate"),
    "m_digitized_rate": ("Tỷ lệ hồ sơ số hóa", "Digitized rate"),
    "m_avg_processing_days": ("Thời gian xử lý TB (ngày)", "Avg processing time (days)"),
    "m_index_average": ("Chỉ số phục vụ TB (điểm)", "Avg service index (points)"),
    "m_index_total": ("Chỉ số phục vụ (điểm)", "Service index (points)"),
    "help_online_rate": (
        "Hồ sơ nộp trực tuyến (KenhThucHien = 2) / hồ sơ tiếp nhận trong kỳ.",
        "Dossiers filed online (KenhThucHien = 2) / dossiers received in the period.",
    ),
    "help_on_time_rate": (
        "Hồ sơ đúng hạn / (đúng hạn + quá hạn); hồ sơ chưa xong được xét tại thời điểm dữ liệu.",
        "On time / (on time + overdue); unfinished dossiers judged at the data's as-of date.",
    ),
    "help_signature_rate": (
        "Văn bản đi ký số / (văn bản đi − văn bản mật), cộng dồn trong kỳ.",
        "Documents signed digitally / (issued − classified), summed over the period.",
    ),
    "help_index_average": (
        "Trung bình tổng điểm (trên 100) của các xã có kết quả.",
        "Mean total score (out of 100) of the communes with a result.",
    ),
    "help_index_total": (
        "Tổng điểm Bộ chỉ số 766 (trên 100) và thứ hạng trong tỉnh.",
        "Decision 766 total score (out of 100) and rank within the province.",
    ),
    "unit_pp": ("điểm %", "pp"),
    "unit_points": ("điểm", "pts"),
    "unit_places": ("bậc", "places"),
    "unit_days": ("ngày", "days"),
    "choose": ("Chọn…", "Choose…"),
    "tier_legend_national": (
        "Nhóm theo tứ phân vị điểm trung bình giữa các tỉnh",
        "Tiers by quartile of the average score among provinces",
    ),
    "national": ("Cả nước", "National"),
    "whole_country": ("Cả nước", "Whole country"),
    "previous_period": ("Kỳ trước", "Previous period"),
    "province_median": ("Trung vị tỉnh", "Province median"),
    "province_best": ("Cao nhất tỉnh", "Province best"),
    "target": ("Mục tiêu", "Target"),
    "max_score": ("Điểm tối đa", "Maximum"),
    "this_commune": ("Xã này", "This commune"),
    "rank_of": ("Hạng {rank}/{total}", "Rank {rank} of {total}"),
    "change_vs": ("Thay đổi so với {period}", "Change against {period}"),
    "of_which_confidential": ("trong đó {n} văn bản mật", "of which {n} classified"),
    "communes_at_target": ("Số xã đạt 100%", "Communes at 100%"),
    "of_communes_reporting": ("trên {n} xã có báo cáo", "of {n} communes reporting"),
    "tier_legend": (
        "Nhóm theo tứ phân vị tổng điểm trong tỉnh",
        "Tiers by quartile of the total score in the province",
    ),
    "group_ckmb": ("Công khai, minh bạch", "Transparency"),
    "group_tdgq": ("Tiến độ giải quyết", "On-time processing"),
    "group_clgq": ("Dịch vụ công trực tuyến", "Online services"),
    "group_tttt": ("Thanh toán trực tuyến", "Online payment"),
    "group_mdsh": ("Số hóa hồ sơ", "Digitization"),
    "group_mdhl": ("Mức độ hài lòng", "Satisfaction"),
    "channel_in_person": ("Trực tiếp", "In person"),
    "channel_online_partial": ("Trực tuyến một phần", "Online, partly"),
    "channel_online_full": ("Trực tuyến toàn trình", "Online, fully"),
    "channel_post": ("Bưu chính công ích", "Public postal service"),
    "status_loaded": ("Đã nạp", "Loaded"),
    "status_partial": ("Nạp một phần", "Partly loaded"),
    "status_duplicate": ("Đã nạp trước đó", "Already loaded"),
    "status_failed": ("Lỗi", "Failed"),
    "moved_up": ("Tăng hạng", "Moved up"),
    "moved_down": ("Giảm hạng", "Moved down"),
    # dashboard: table columns
    "col_index_rank": ("Hạng", "Rank"),
    "col_index_rank_change": ("Thay đổi hạng", "Rank change"),
    "col_previous_index_rank": ("Hạng kỳ trước", "Previous rank"),
    "col_national_rank": ("Hạng toàn quốc", "National rank"),
    "col_tier": ("Nhóm", "Tier"),
    # compact headers of wide tables (ui/columns.py SHORT); the full label is the tooltip
    "short_index_total": ("Điểm", "Score"),
    "short_index_rank_change": ("± Hạng", "± Rank"),
    "short_online_rate": ("Trực tuyến", "Online"),
    "short_on_time_rate": ("Đúng hạn", "On time"),
    "short_signature_rate": ("Ký số", "Signed"),
    "col_commune_code": ("Mã xã", "Commune code"),
    "col_commune_name": ("Xã/phường", "Commune"),
    "col_province_code": ("Mã tỉnh", "Province code"),
    "col_province_name": ("Tỉnh/thành phố", "Province"),
    "col_index_total": ("Tổng điểm", "Total score"),
    "col_index_total_change": ("Thay đổi điểm", "Score change"),
    "col_score_ckmb": ("CKMB (18)", "CKMB (18)"),
    "col_score_tdgq": ("TDGQ (20)", "TDGQ (20)"),
    "col_score_clgq": ("CLGQ (12)", "CLGQ (12)"),
    "col_score_tttt": ("TTTT (10)", "TTTT (10)"),
    "col_score_mdsh": ("MDSH (22)", "MDSH (22)"),
    "col_score_mdhl": ("MDHL (18)", "MDHL (18)"),
    "col_lost_ckmb": ("Mất CKMB", "Lost CKMB"),
    "col_lost_tdgq": ("Mất TDGQ", "Lost TDGQ"),
    "col_lost_clgq": ("Mất CLGQ", "Lost CLGQ"),
    "col_lost_tttt": ("Mất TTTT", "Lost TTTT"),
    "col_lost_mdsh": ("Mất MDSH", "Lost MDSH"),
    "col_lost_mdhl": ("Mất MDHL", "Lost MDHL"),
    "col_worst_group": ("Nhóm mất nhiều điểm nhất", "Group costing most"),
    "col_worst_group_lost": ("Số điểm mất ở nhóm đó", "Points lost there"),
    "col_group": ("Nhóm chỉ số", "Index group"),
    "col_score": ("Điểm", "Score"),
    "col_points_lost": ("Điểm bị mất", "Points lost"),
    "col_best_commune": ("Xã cao nhất", "Best commune"),
    "col_dossiers_received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "col_dossiers_online": ("Hồ sơ trực tuyến", "Online dossiers"),
    "col_dossiers_on_time": ("Hồ sơ đúng hạn", "On-time dossiers"),
    "col_dossiers_overdue": ("Hồ sơ quá hạn", "Overdue dossiers"),
    "col_docs_issued": ("Văn bản đi", "Documents issued"),
    "col_docs_confidential": ("Văn bản mật", "Classified"),
    "col_docs_signed": ("Văn bản ký số", "Signed digitally"),
    "col_docs_unsigned": ("Chưa ký số", "Not signed"),
    "col_communes": ("Số xã", "Communes"),
    "col_communes_with_dossiers": ("Số xã có hồ sơ", "Communes with dossiers"),
    "col_gap": ("Còn thiếu", "Gap"),
    "col_procedure_code": ("Mã TTHC", "Procedure code"),
    "col_procedure_name": ("Thủ tục hành chính", "Procedure"),
    "col_sector_name": ("Lĩnh vực", "Sector"),
    "col_load_id": ("Lần nạp", "Load"),
    "col_file_name": ("Tệp", "File"),
    "col_kind": ("Loại dữ liệu", "Kind"),
    "col_source": ("Nguồn dữ liệu", "Source"),
    "col_loaded_at": ("Thời điểm nạp", "Loaded at"),
    "col_last_loaded_at": ("Lần nạp gần nhất", "Last loaded"),
    "col_last_month": ("Tháng mới nhất", "Latest month"),
    "col_files": ("Số tệp", "Files"),
    "col_rows_read": ("Dòng đọc", "Rows read"),
    "col_rows_loaded": ("Dòng nạp", "Rows loaded"),
    "col_rows_replaced": ("Dòng thay thế", "Rows replaced"),
    "col_rows_rejected": ("Dòng bị loại", "Rows rejected"),
    "col_rows": ("Số dòng", "Rows"),
    "col_status": ("Trạng thái", "Status"),
    "col_row_number": ("Dòng", "Row"),
    "col_column_name": ("Cột", "Column"),
    "col_value": ("Giá trị", "Value"),
    "col_rule": ("Quy tắc", "Rule"),
    "col_message": ("Lý do và cách sửa", "Reason and fix"),
    "col_communes_with_data": ("Số xã có dữ liệu", "Communes with data"),
    "col_communes_missing": ("Số xã thiếu dữ liệu", "Communes missing"),
    "col_coverage_rate": ("Tỷ lệ bao phủ", "Coverage"),
    "col_dossier_rows": ("Số hồ sơ", "Dossiers"),
    "col_signature_months": ("Số tháng có báo cáo ký số", "Months with signature data"),
    "col_index_periods": ("Số kỳ có chỉ số", "Periods with an index"),
    # dashboard: headings, charts, axes
    "h_ranking": ("Xếp hạng các xã", "Commune ranking"),
    "h_movers": ("Thay đổi thứ hạng lớn nhất", "Biggest movers"),
    "h_below_target": ("Xa mục tiêu nhất", "Furthest below target"),
    "h_provinces": ("Bảng so sánh các tỉnh", "Provinces compared"),
    "h_trends": ("Diễn biến theo tháng", "Monthly trends"),
    "h_group_table": ("Điểm từng nhóm chỉ số", "Score by index group"),
    "h_procedures": ("Hồ sơ theo thủ tục", "Dossiers by procedure"),
    "h_commune_filings": ("Các xã trong tỉnh", "Communes of the province"),
    "h_signature_communes": ("Các xã của {province}", "Communes of {province}"),
    "h_under_target": ("Các xã chưa ký số 100%", "Communes still under 100%"),
    "h_bump": ("Diễn biến thứ hạng", "Rank history"),
    "h_group_losses": ("Điểm bị mất theo nhóm, từng xã", "Points lost by group, per commune"),
    "h_freshness": ("Độ mới của dữ liệu", "Data freshness"),
    "h_coverage": ("Độ phủ: {province}, {period}", "Coverage: {province}, {period}"),
    "h_loads": ("Lịch sử nạp dữ liệu", "Load history"),
    "h_rejects": ("Dòng bị loại", "Rejected rows"),
    "chart_on_time": ("Tỷ lệ giải quyết đúng hạn", "On-time rate"),
    "chart_processing_days": ("Thời gian xử lý trung bình", "Average processing time"),
    "chart_channel_mix": ("Hồ sơ theo kênh nộp", "Dossiers by channel"),
    "chart_rank_history": ("Thứ hạng trong tỉnh qua các kỳ", "Rank in the province over time"),
    "chart_bump": ("Thứ hạng trong tỉnh của các xã đã chọn", "Rank in the province of the chosen communes"),
    "chart_movers": ("Số bậc tăng/giảm so với kỳ trước", "Places gained or lost since last period"),
    "chart_group_scores": (
        "Điểm nhóm so với trung vị và cao nhất tỉnh",
        "Group scores vs province median and best",
    ),
    "chart_score_distribution": ("Phân bố tổng điểm các xã", "Distribution of total scores"),
    "chart_worst_groups": ("Nhóm làm mất nhiều điểm nhất (số xã)", "Group costing most points (communes)"),
    "chart_signature_by_commune": ("Tỷ lệ ký số theo xã", "Signature rate by commune"),
    "chart_signature_grid": ("Tỷ lệ ký số theo xã và tháng", "Signature rate by commune and month"),
    "chart_top_procedures": ("Thủ tục có nhiều hồ sơ nhất", "Procedures with most dossiers"),
    "chart_late_procedures": ("Thủ tục có nhiều hồ sơ quá hạn nhất", "Procedures with most overdue dossiers"),
    "axis_month": ("Tháng", "Month"),
    "axis_period": ("Kỳ", "Period"),
    "axis_percent": ("Tỷ lệ (%)", "Share (%)"),
    "axis_share": ("Tỷ trọng hồ sơ (%)", "Share of dossiers (%)"),
    "axis_days": ("Số ngày", "Days"),
    "axis_rank": ("Hạng", "Rank"),  # short: a phone's chart has no room for "(1 = best)"; 1 sits on top
    "axis_places": ("Số bậc", "Places"),
    "axis_points": ("Điểm", "Points"),
    "axis_communes": ("Số xã", "Communes"),
    "axis_communes_sorted": ("Các xã, xếp từ thấp đến cao", "Communes, lowest to highest"),
    "axis_dossiers": ("Số hồ sơ", "Dossiers"),
    # dashboard: actions, notes, empty states
    "pick_metric": ("Chỉ tiêu", "Metric"),
    "pick_communes": ("Chọn xã (tối đa 10)", "Choose communes (up to 10)"),
    "pick_source": ("Nguồn dữ liệu", "Source"),
    "filter_file": ("Lọc theo tệp", "Filter by file"),
    "filter_rule": ("Lọc theo quy tắc", "Filter by rule"),
    "drill_province": ("Xem chi tiết một tỉnh", "Open a province"),
    "download_csv": ("Tải CSV", "Download CSV"),
    "download_xlsx": ("Tải Excel", "Download Excel"),
    "click_row_commune": (
        "Chọn một dòng để mở hồ sơ của xã đó.",
        "Select a row to open that commune's profile.",
    ),
    "click_row_province": ("Chọn một dòng để xem tỉnh đó.", "Select a row to open that province."),
    "not_available_for_account": (
        "Không hiển thị với tài khoản của bạn: số liệu này cần số liệu hồ sơ, ký số "
        "của từng xã khác trong tỉnh.",
        "Not available for your account: this figure needs other communes' own dossier and signature data.",
    ),
    "withheld_for_account_note": (
        "Thứ hạng của xã theo từng tỉ lệ và trung vị tỉnh của các chỉ tiêu kỹ năng số "
        "không hiển thị với tài khoản cấp xã (cần số liệu của từng xã khác).",
        "The commune's rank on each rate and the province medians of the digital-skills "
        "figures are not available for a commune account (they need other communes' "
        "own data).",
    ),
    "index_derived_note": (
        "Kỳ này chưa có kết quả chỉ số công bố theo quý/năm: điểm là trung bình các tháng đã "
        "công bố, thứ hạng tính lại trong tỉnh.",
        "No quarterly/yearly index is published for this period: scores are the mean of the "
        "published months, ranks recomputed within the province.",
    ),
    "grid_note": (
        "Ô trống: xã không gửi số liệu ký số tháng đó. Xếp từ thấp đến cao theo tỷ lệ trung bình.",
        "Empty cell: no signature data from that commune for that month. Sorted lowest first.",
    ),
    "all_signed": (
        "{unit} đã ký số 100% văn bản đi không mật trong {period}.",
        "{unit} signed 100% of non-classified outgoing documents in {period}.",
    ),
    "communes_without_signatures": (
        "{n} xã chưa gửi số liệu ký số trong kỳ: {names}",
        "{n} communes sent no signature data for the period: {names}",
    ),
    "provinces_without_data": ("Chưa có dữ liệu: {names}", "No data yet: {names}"),
    "no_missing": (
        "Mọi xã đều có dữ liệu {source} trong {period}.",
        "Every commune has {source} data for {period}.",
    ),
    "no_rejects": ("Không có dòng nào bị loại.", "No rejected rows."),
    "rejects_truncated": (
        "Hiển thị {shown} dòng mới nhất trong tổng số {total} dòng bị loại; danh sách đầy đủ: "
        "`python -m etl rejects`.",
        "Showing the newest {shown} of {total} rejected rows; the full list: `python -m etl rejects`.",
    ),
    "empty_no_data": (
        "Kho dữ liệu chưa có tháng nào. Nạp tệp hồ sơ, ký số hoặc chỉ số để bắt đầu.",
        "The warehouse has no month yet. Load dossier, signature or index files to start.",
    ),
    "empty_period": ("Chưa có dữ liệu nào cho {period}.", "No data for {period} yet."),
    "empty_province_period": (
        "Chưa có dữ liệu của {province} cho {period}.",
        "No data for {province} in {period}.",
    ),
    "empty_pick_commune": (
        "Chọn một xã/phường của {province} ở mục Xã/phường trong menu (trên điện thoại: bấm » ở góc trên "
        "bên trái để mở menu) để xem hồ sơ.",
        "Choose a commune of {province} under Commune in the menu (on a phone: tap » at the top left to "
        "open the menu) to see its profile.",
    ),
    "empty_commune_period": (
        "Không có dữ liệu của {commune} cho {period}.",
        "No data for {commune} in {period}.",
    ),
    "empty_metric_commune": ("Không có dữ liệu {metric} của {commune}.", "No {metric} data for {commune}."),
    "empty_index_commune": (
        "Chưa có kết quả chỉ số phục vụ của {commune}.",
        "No service-index result for {commune} yet.",
    ),
    "empty_index_commune_period": (
        "Chưa có điểm nhóm chỉ số của {commune} cho {period}.",
        "No group scores for {commune} in {period}.",
    ),
    "empty_movers": (
        "Chưa có thứ hạng kỳ trước ({period}) để so sánh.",
        "No ranks for the previous period ({period}) to compare with.",
    ),
    "empty_all_meet_target": (
        "Mọi xã có dữ liệu đều đạt mục tiêu này.",
        "Every commune with data meets this target.",
    ),
    "empty_filings": (
        "Không có hồ sơ nào của {unit} tiếp nhận trong {period}.",
        "No dossiers received by {unit} in {period}.",
    ),
    "empty_no_late": (
        "Không có hồ sơ quá hạn của {unit} trong {period}.",
        "No overdue dossiers for {unit} in {period}.",
    ),
    "empty_signatures": (
        "Chưa có số liệu ký số của {unit} cho {period}.",
        "No signature data for {unit} in {period}.",
    ),
    "empty_index": (
        "Chưa có kết quả chỉ số phục vụ của {province} cho {period}.",
        "No service-index results for {province} in {period}.",
    ),
    "empty_bump": (
        "Chọn ít nhất một xã để xem diễn biến thứ hạng.",
        "Choose at least one commune to see its ranks.",
    ),
    "empty_loads": (
        "Chưa nạp tệp nào (hoặc bạn không có quyền xem lịch sử nạp).",
        "No file loaded yet (or you may not see the load history).",
    ),
    # digital skills: Bình dân học vụ số (metrics/skills.py)
    "skills_title": ("Bình dân học vụ số: kỹ năng số", "Popular Digital Education: digital skills"),
    "source_population": ("Dân số, thôn, tổ dân phố", "Population and villages"),
    "source_digital_teams": ("Tổ công nghệ số cộng đồng", "Community digital teams"),
    "source_training": ("Tập huấn kỹ năng số", "Digital-skills training"),
    "source_vneid": ("VNeID và chứng nhận", "VNeID and certificates"),
    "skills_population": ("Dân số", "Population"),
    "skills_adults": ("Số người trưởng thành", "Adults"),
    "skills_villages": ("Số thôn, tổ dân phố", "Villages and residential groups"),
    "skills_digital_teams": ("Số tổ công nghệ số cộng đồng", "Community digital teams"),
    "skills_team_members": ("Số thành viên tổ", "Team members"),
    "skills_training_sessions": ("Số buổi tập huấn", "Training sessions"),
    "skills_training_participants": ("Số lượt người tham dự", "Attendances"),
    "skills_training_participants_adults": ("Lượt tham dự của người trưởng thành", "Adult attendances"),
    "skills_vneid_level2_active": ("Tài khoản VNeID mức 2 đã kích hoạt", "Level-2 VNeID accounts activated"),
    "skills_adults_certified": (
        "Người được cấp chứng nhận Bình dân học vụ số",
        "Adults certified on Bình dân học vụ số",
    ),
    "skills_villages_with_team_share": (
        "Tỷ lệ thôn, tổ dân phố có tổ công nghệ số",
        "Villages with a digital team",
    ),
    "skills_team_members_per_1000": (
        "Thành viên tổ công nghệ số trên 1.000 dân",
        "Team members per 1,000 people",
    ),
    "skills_sessions_per_month": ("Buổi tập huấn mỗi tháng", "Training sessions per month"),
    "skills_participants_per_month": ("Lượt tham dự mỗi tháng", "Attendances per month"),
    "skills_adults_trained_share": (
        "Lượt tập huấn trên số người trưởng thành (lũy kế)",
        "Training attendances per adult (cumulative)",
    ),
    "skills_adults_certified_share": ("Tỷ lệ người trưởng thành được cấp chứng nhận", "Adults certified"),
    "skills_vneid_activation_share": (
        "Tỷ lệ kích hoạt VNeID mức 2 (trên người trưởng thành)",
        "Level-2 VNeID activation (of adults)",
    ),
    "skills_certified_target": (
        "Mục tiêu: {target} người trưởng thành được cấp chứng nhận",
        "Target: {target} of adults certified",
    ),
    "skills_certified_gap": ("Còn thiếu so với mục tiêu", "Gap to target"),
    "skills_certified_meets_target": ("Đạt mục tiêu", "Target met"),
    "skills_target_assumption": (
        "Mục tiêu 60% lấy theo ví dụ của một tỉnh (Tây Ninh, 2026), là giả định có "
        "thể điều chỉnh, không phải quy định chung.",
        "The 60% target follows one province's example (Tây Ninh, 2026): a configurable "
        "assumption, not a national rule.",
    ),
    "skills_attendances_note": (
        "Số liệu tập huấn là lượt tham dự: một người dự hai buổi được tính hai lần, nên "
        "tỷ lệ có thể vượt 100%.",
        "Training figures count attendances: a person at two sessions counts twice, so "
        "the share can exceed 100%.",
    ),
    "skills_teams_exceed_villages": (
        "Số tổ nhiều hơn số thôn, tổ dân phố (tỷ lệ tính tối đa 100%)",
        "More teams than villages (the share is capped at 100%)",
    ),
    "skills_ranking": ("Xếp hạng xã theo kỹ năng số", "Commune ranking on digital skills"),
    "skills_ranked_on": ("Xếp hạng theo", "Ranked on"),
    "skills_trend": ("Diễn biến theo tháng", "Monthly trend"),
    "skills_calendar": ("Lịch tập huấn", "Training calendar"),
    "skills_training_on": ("Ngày tập huấn", "Date"),
    "skills_topic": ("Nội dung", "Topic"),
    "skills_audience": ("Đối tượng", "Audience"),
    "skills_participants": ("Số người tham dự", "Participants"),
    "skills_organiser": ("Đơn vị tổ chức", "Organiser"),
    "skills_location": ("Địa điểm", "Venue"),
    "skills_audience_officials": ("Cán bộ, công chức", "Officials"),
    "skills_audience_residents": ("Người dân", "Residents"),
    "skills_audience_pupils": ("Học sinh, sinh viên", "Pupils and students"),
    "skills_audience_businesses": ("Doanh nghiệp, hộ kinh doanh", "Businesses"),
    "empty_skills": (
        "Chưa có số liệu kỹ năng số của {unit} cho {period}.",
        "No digital-skills data for {unit} in {period}.",
    ),
    "empty_sessions": (
        "Không có buổi tập huấn nào của {unit} từ {start} đến {end}.",
        "No training sessions for {unit} from {start} to {end}.",
    ),
    # what it takes, published vs computed (ui/index_sections.py)
    "h_what_it_takes": ("Cần gì để tăng điểm", "What it takes to gain points"),
    "wit_intro": (
        "Theo số hồ sơ của {period}: điểm mỗi nhóm bị mất và thay đổi cụ thể để lấy lại.",
        "At {period}'s dossier volume: the points each group lost and the concrete change that "
        "recovers them.",
    ),
    "wit_points_lost_total": ("Tổng điểm bị mất", "Total points lost"),
    "wit_points_recoverable_total": ("Lấy lại được bằng hồ sơ", "Recoverable through dossiers"),
    "wit_points_to_pass": ("Điểm cần để vượt xã xếp trên", "Points to pass the next commune"),
    "wit_cheapest_group": ("Nhóm dễ tìm điểm nhất", "Cheapest group"),
    "wit_cheapest_note": ("{group}: {count} hồ sơ", "{group}: {count} dossiers"),
    "wit_recoverable": ("Lấy lại được bằng hồ sơ", "Recoverable through dossiers"),
    "wit_other": ("Ở chỉ tiêu ngoài hồ sơ", "In indicators outside the dossiers"),
    "chart_points_lost": ("Điểm bị mất và phần lấy lại được", "Points lost and the part recoverable"),
    "col_wit_action": ("Việc cần làm", "Change that recovers them"),
    "col_wit_recoverable": ("Lấy lại được (điểm)", "Recoverable (points)"),
    "col_wit_other": ("Ngoài hồ sơ (điểm)", "Outside the dossiers (points)"),
    "col_wit_dossiers": ("Số hồ sơ cần thay đổi", "Dossiers to change"),
    "col_wit_score": ("Điểm hiện tại", "Current score"),
    "empty_what_it_takes": (
        "{commune} chưa có kết quả chỉ số công bố cho {period}, nên chưa tính được "
        "điểm bị mất và điểm cần để vượt xã xếp trên.",
        "{commune} has no published index for {period}, so the points lost and the points "
        "needed to pass the next commune cannot be worked out.",
    ),
    "wit_pick_commune": (
        "Chọn một xã ở mục Xã/phường trong menu (trên điện thoại: bấm » ở góc trên bên trái) để xem cần gì để tăng điểm.",
        "Choose a commune under Commune in the menu (on a phone: tap » at the top left) to see what it takes to "
        "gain points.",
    ),
    "h_assumptions": ("Quy tắc tính điểm (giả định)", "Scoring rules (assumptions)"),
    "wit_unconfirmed": (
        "Lưu ý: quy tắc tính điểm dùng ở đây là bản dựng lại của bên thứ ba, chưa được xác nhận "
        "chính thức; nguồn của từng quy tắc ở bảng bên dưới. Các con số là ước tính để định hướng, "
        "không phải điểm chính thức.",
        "Note: the scoring rules used here are third-party reconstructions, not officially "
        "confirmed; each rule's source is in the table below. The figures are estimates to guide "
        "action, not official scores.",
    ),
    "col_indicator": ("Chỉ tiêu", "Indicator"),
    "col_computable": ("Tính được từ hồ sơ", "Computable from dossiers"),
    "col_formula": ("Công thức", "Formula"),
    "col_full_at": ("Đạt tối đa khi tỷ lệ ≥", "Full points at ratio ≥"),
    "col_reason": ("Vì sao không tính được", "Why it cannot be computed"),
    "col_confirmed": ("Đã xác nhận", "Confirmed"),
    "col_rule_source": ("Nguồn", "Source"),
    "col_coverage": ("Mức tính được từ hồ sơ", "Coverage by dossiers"),
    "col_flagged": ("Lệch quá ngưỡng", "Over the tolerance"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "h_published_vs_computed": ("Điểm công bố và điểm tính từ hồ sơ", "Published vs computed from dossiers"),
    "pvc_intro": (
        "Điểm tính từ hồ sơ là ước tính theo các quy tắc giả định; dòng đánh dấu khi chênh lệch quá "
        "{tolerance} điểm. Không tính được từ hồ sơ: {indicators}.",
        "Scores computed from dossiers are estimates under the assumed rules; a row is flagged when "
        "the difference exceeds {tolerance} points. Not computable from dossiers: {indicators}.",
    ),
    "pvc_only_flagged": ("Chỉ hiện các dòng lệch quá ngưỡng", "Only rows over the tolerance"),
    "all_groups": ("Tất cả các nhóm", "All groups"),
    "pvc_flagged_count": (
        "{n} / {total} dòng lệch quá {tolerance} điểm.",
        "{n} of {total} rows differ by more than {tolerance} points.",
    ),
    "empty_published_vs_computed": (
        "Chưa có điểm công bố hay hồ sơ của {province} cho {period}.",
        "No published scores or dossiers for {province} in {period}.",
    ),
    # digital skills page (views/skills.py, ui/skills_sections.py, charts/skills.py)
    "nav_skills": ("Kỹ năng số", "Digital skills"),
    "q_skills": (
        "Tỉnh đã đi được bao xa về kỹ năng số: tổ công nghệ số cộng đồng, tập huấn, chứng nhận "
        "Bình dân học vụ số và VNeID.",
        "How far has the province come on digital skills: community digital teams, training, "
        "Bình dân học vụ số certificates and VNeID.",
    ),
    "h_skills_commune": ("Kỹ năng số (Bình dân học vụ số)", "Digital skills (Bình dân học vụ số)"),
    "h_skills_commune_trend": ("Diễn biến của {commune}", "{commune} month by month"),
    "skills_open_page": ("Xem trang Kỹ năng số", "Open the digital-skills page"),
    "skills_calendar_scope": ("Phạm vi lịch", "Calendar for"),
    "skills_scope_commune": ("Xã đã chọn", "The chosen commune"),
    "skills_scope_province": ("Cả tỉnh", "The whole province"),
    "skills_sessions_count": (
        "{n} buổi, {participants} lượt tham dự ({start} – {end}).",
        "{n} sessions, {participants} attendances ({start} – {end}).",
    ),
    "skills_teams_of_villages": (
        "{teams} tổ / {villages} thôn, tổ dân phố",
        "{teams} teams / {villages} villages",
    ),
    "skills_in_period": (
        "{sessions} buổi, {participants} lượt trong kỳ",
        "{sessions} sessions, {participants} attendances in the period",
    ),
    "skills_pick_commune_trend": (
        "Chọn một xã ở mục Xã/phường trong menu (trên điện thoại: bấm » ở góc trên bên trái) để xem diễn biến theo tháng.",
        "Choose a commune under Commune in the menu (on a phone: tap » at the top left) to see its monthly trend.",
    ),
    "chart_skills_ranking": ("Các xã của {province}", "Communes of {province}"),
    "chart_skills_shares": ("Chứng nhận, VNeID, tổ công nghệ số", "Certificates, VNeID, digital teams"),
    "chart_skills_training": ("Tập huấn theo tháng", "Training by month"),
    "chart_sessions_timeline": ("Buổi tập huấn theo ngày", "Training sessions by day"),
    "axis_date": ("Ngày", "Date"),
    "axis_sessions": ("Số buổi", "Sessions"),
    "axis_attendances": ("Lượt tham dự", "Attendances"),
    "axis_per_1000": ("Người trên 1.000 dân", "People per 1,000 population"),
    "axis_per_month": ("Số trung bình mỗi tháng", "Average per month"),
    "axis_attendances_per_adult": ("Lượt trên người trưởng thành (%)", "Attendances per adult (%)"),
}


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    vi, en = LABELS[key]
    return en if lang == "en" else vi


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """1.234,5 (vi) / 1,234.5 (en); '–' for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_pct(fraction: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A 0..1 fraction as a percentage: 0,8971 -> '89,7%' (vi) / '89.7%' (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return fmt_number(fraction * 100, lang, decimals) + "%"


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y")


def fmt_month(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%m/%Y")


LABELS.update(
    {
        # report downloads (commune profile, province overview)
        "h_report_commune": ("Báo cáo của xã", "Commune report"),
        "h_report_province": ("Báo cáo tóm tắt của tỉnh", "Province briefing"),
        "report_format": ("Định dạng", "Format"),
        "report_build": ("Tạo báo cáo", "Build the report"),
        "report_building": ("Đang tạo báo cáo…", "Building the report…"),
        "report_download": ("Tải về {name}", "Download {name}"),
        "h_report_now": ("Báo cáo kỳ {period}", "Report for {period}"),
        # the provincial departments on the service-index page (ui/index_sections.py departments)
        "h_departments": ("Xếp hạng các sở, ngành của tỉnh", "The province's departments ranked"),
        "col_department_name": ("Sở, ngành", "Department"),
        "col_department_code": ("Mã trên Cổng", "Portal code"),
        "col_groups_published": ("Số nhóm đã công bố", "Groups published"),
        "departments_none": (
            "Kho dữ liệu chưa có điểm của các sở, ngành cho {period}. Điểm này được nạp từ các tệp JSON "
            "của trang Đánh giá chất lượng phục vụ (Cổng Dịch vụ công quốc gia); dữ liệu minh họa không có.",
            "The warehouse holds no department scores for {period}. They are loaded from the JSON files "
            "of the national portal's service-quality page; the demo data has none.",
        ),
        "departments_note": (
            "{n} sở, ngành, theo điểm Cổng công bố (tổng điểm, hoặc tổng sáu nhóm khi đủ sáu nhóm); "
            "1 = cao nhất; thay đổi hạng so với kỳ trước.",
            "{n} departments by the portal's published scores (the total, or the sum of the six groups "
            "when all six are loaded); 1 = best; rank change against the previous period.",
        ),
        "departments_partial": (
            "{n} sở, ngành chưa đủ sáu nhóm điểm: chưa có tổng điểm và chưa xếp hạng.",
            "{n} departments lack some of the six groups: no total and no rank yet.",
        ),
        # the province overview's rank among the provinces (ui/province_rank.py)
        "province_rank": (
            "Hạng chỉ số phục vụ trong {total} tỉnh, thành",
            "Service-index rank of {total} provinces",
        ),
        "province_rank_none": (
            "Chưa có xếp hạng toàn quốc cho kỳ này",
            "No national ranking for this period",
        ),
        "help_province_rank": (
            "Hạng của tỉnh theo Bộ chỉ số phục vụ (QĐ 766/QĐ-TTg) trong các tỉnh, thành phố có điểm kỳ này "
            "(1 = tốt nhất), như trang Toàn quốc; thay đổi so với kỳ trước (+ là tăng hạng).",
            "The province's rank on the service index (Decision 766) among the provinces scored this period "
            "(1 = best), as on the national page; the change against the previous period (+ = up).",
        ),
        "report_all_zip": ("Cả ba (.zip)", "All three (.zip)"),
        "report_now_hint": (
            "Bấm một nút để tải (tạo mất vài giây): Word để chỉnh sửa, PDF để in, Excel để lấy số liệu; "
            "thể thức Nghị định 30/2020/NĐ-CP, số liệu như trên bảng điều khiển.",
            "One click downloads it (built in a few seconds): Word to edit, PDF to print, Excel for the "
            "figures; the Decree 30/2020 layout with the dashboard's figures.",
        ),
        "report_hint": (
            "Bản nháp theo thể thức Nghị định 30/2020/NĐ-CP, số liệu như trên bảng điều khiển; "
            "Word để chỉnh sửa, PDF để in, Excel để lấy số liệu.",
            "A draft in the Decree 30/2020 layout with the dashboard's figures; Word to edit, PDF to "
            "print, Excel for the figures.",
        ),
    }
)


LABELS.update(
    {
        # the national portal fetcher (etl/portal/, metrics/portal.py): provisional vs official, fetch log
        "provisional_label": ("Tạm tính", "Provisional"),
        "index_status_provisional": ("tạm tính", "provisional"),
        "index_status_official": ("chính thức", "official"),
        "index_status_revision": ("Cổng đã sửa (lưu bản sửa)", "revised by the portal (kept as a revision)"),
        "index_status_unchanged": ("không đổi", "unchanged"),
        "index_status_mixed": ("tạm tính và chính thức", "provisional and official"),
        "provisional_note": (
            "Tạm tính: kết quả chỉ số của {period} được lấy từ Cổng DVC quốc gia khi kỳ "
            "chưa kết thúc; Cổng còn tính lại hằng ngày nên điểm và thứ hạng có thể thay đổi. Kết quả "
            "chính thức là lần lấy đầy đủ đầu tiên sau khi kỳ kết thúc.",
            "Provisional (tạm tính): the index results for {period} were fetched from the national "
            "portal before the period ended; the portal recomputes them daily, so scores and ranks may "
            "still change. The official results are the first complete fetch after the period ends.",
        ),
        "provisional_history_note": (
            "Diễn biến thứ hạng chỉ gồm các kỳ đã kết thúc; kỳ tạm tính không được so sánh.",
            "The rank history shows closed periods only; provisional periods are not compared.",
        ),
        "h_portal_ranking": (
            "Xếp hạng các tỉnh theo Cổng DVC quốc gia",
            "The national portal's province ranking",
        ),
        "portal_ranking_note": (
            "Điểm và thứ hạng do Cổng công bố cho {period} ({n} tỉnh, xếp theo tổng điểm).",
            "Scores and ranks as the portal publishes them for {period} ({n} provinces, by total).",
        ),
        "empty_portal_ranking": (
            "Chưa có bảng xếp hạng toàn quốc của Cổng cho {period} — lấy bằng "
            "`python -m etl fetch-portal --province all --period {period_key}`.",
            "No national ranking from the portal for {period} yet — fetch it with "
            "`python -m etl fetch-portal --province all --period {period_key}`.",
        ),
        "h_portal_fetches": ("Lấy dữ liệu từ Cổng DVC quốc gia", "Fetches from the national portal"),
        "portal_breaker_closed": (
            "Cầu dao đang đóng: các lần lấy theo lịch gửi yêu cầu bình thường (mỗi lần một yêu "
            "cầu, cách nhau ít nhất 1 giây).",
            "The breaker is closed: scheduled runs send requests as usual (one at a time, at least "
            "1 second apart).",
        ),
        "portal_breaker_open": (
            "Cầu dao đang MỞ từ {opened_at} ({reason}: {detail}): không gửi yêu cầu nào tới Cổng. "
            "Người vận hành kiểm tra lý do rồi chạy `python -m etl fetch-portal --reset`.",
            "The breaker is OPEN since {opened_at} ({reason}: {detail}): no request is sent to the "
            "portal. An operator checks why, then runs `python -m etl fetch-portal --reset`.",
        ),
        "empty_portal_fetches": (
            "Chưa có lần lấy dữ liệu nào từ Cổng (`python -m etl fetch-portal`).",
            "No fetch from the portal yet (`python -m etl fetch-portal`).",
        ),
        "fetch_result_done": ("Xong", "Done"),
        "fetch_result_partial": ("Một phần", "Partial"),
        "fetch_result_failed": ("Không lấy được", "Failed"),
        "fetch_result_budget_exhausted": ("Hết hạn mức yêu cầu", "Budget used up"),
        "fetch_result_stopped": ("Dừng: Cổng từ chối", "Stopped: the portal refused"),
        "fetch_result_refused": ("Từ chối: sai đơn vị, không nạp", "Refused: wrong unit, nothing loaded"),
        "breaker_closed": ("Đóng", "Closed"),
        "breaker_open": ("Mở", "Open"),
        "col_started_at": ("Bắt đầu", "Started"),
        "col_provinces": ("Tỉnh", "Provinces"),
        "col_period": ("Kỳ", "Period"),
        "col_groups": ("Nhóm", "Groups"),
        "col_requests": ("Số yêu cầu", "Requests"),
        "col_fetch_result": ("Kết quả", "Result"),
        "col_breaker_state": ("Cầu dao", "Breaker"),
        "col_index_status": ("Tạm tính / chính thức", "Provisional / official"),
        "col_endpoints_loaded": ("Số đầu mối đã nạp", "Answers loaded"),
        "col_revisions": ("Số liệu Cổng sửa", "Revised figures"),
        "col_portal_rank": ("Hạng (Cổng)", "Rank (portal)"),
        "col_portal_total": ("Tổng điểm (Cổng)", "Total (portal)"),
        "col_portal_total_change": ("Thay đổi so với kỳ trước", "Change vs previous period"),
        "col_portal_code": ("Mã trên Cổng", "Portal code"),
        "source_portal_fetch": ("Bản ghi lấy dữ liệu từ Cổng", "Portal fetch record"),
    }
)


def _merge_access_labels() -> None:
    from metrics.i18n_access import ACCESS_LABELS

    LABELS.update({k: v for k, v in ACCESS_LABELS.items() if k not in LABELS})


_merge_access_labels()


def _merge_notify_labels() -> None:
    from metrics.i18n_notify import NOTIFY_LABELS

    LABELS.update({k: v for k, v in NOTIFY_LABELS.items() if k not in LABELS})


_merge_notify_labels()
