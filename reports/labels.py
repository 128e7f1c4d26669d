"""The reports' own words, Vietnamese and English side by side, and the phrases built from them.

Words the dashboard already has (metric names, group names, tiers, the service index's sentences)
come from metrics.i18n; `t` looks there when a key is not a report key.
"""

from __future__ import annotations

from datetime import date

from core.periods import Period
from metrics.i18n import LABELS as APP_LABELS
from metrics.i18n import fmt_number, fmt_pct

LABELS: dict[str, tuple[str, str]] = {
    # administrative-document frame (Nghị định 30/2020/NĐ-CP)
    "committee": ("ỦY BAN NHÂN DÂN", "PEOPLE'S COMMITTEE"),
    "motto_state": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
    "motto": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
    "number": ("Số: .../BC-UBND", "No.: .../BC-UBND"),
    "place_date": ("{place}, ngày {day} tháng {month} năm {year}", "{place}, {day} {month_name} {year}"),
    "place_date_blank": ("{place}, ngày … tháng … năm …", "{place}, date: …"),
    "report": ("BÁO CÁO", "REPORT"),
    "briefing": ("BÁO CÁO TÓM TẮT", "BRIEFING"),
    "recipients": ("Nơi nhận:", "Recipients:"),
    "on_behalf": ("TM. ỦY BAN NHÂN DÂN", "ON BEHALF OF THE PEOPLE'S COMMITTEE"),
    "chair": ("CHỦ TỊCH", "CHAIR"),
    "signer_name": ("(Ký, ghi rõ họ tên)", "(Signature and full name)"),
    "annex": ("PHỤ LỤC", "ANNEX"),
    "closing_commune": (
        "Trên đây là báo cáo kết quả chuyển đổi số {period} của Ủy ban nhân dân {unit}./.",
        "This concludes the People's Committee of {unit}'s report on digital transformation {period}./.",
    ),
    "closing_province": (
        "Trên đây là báo cáo tóm tắt kết quả chuyển đổi số của các {kinds} {period}./.",
        "This concludes the briefing on the communes' digital transformation {period}./.",
    ),
    "placeholder_causes": (
        "(Bổ sung nguyên nhân của các tồn tại, hạn chế.)",
        "(Add the causes of the shortfalls.)",
    ),
    "placeholder_tasks": ("(Bổ sung các nhiệm vụ khác của địa phương.)", "(Add the unit's other tasks.)"),
    "placeholder_proposals": ("(Bổ sung đề xuất, kiến nghị, nếu có.)", "(Add proposals, if any.)"),
    "type_xã": ("xã", "commune"),
    "type_phường": ("phường", "ward"),
    "type_đặc khu": ("đặc khu", "special zone"),
    "type_tỉnh": ("tỉnh", "province"),
    "type_thành phố trung ương": ("thành phố", "city"),
    "types_xã": ("xã", "communes"),
    "types_phường": ("phường", "wards"),
    "types_đặc khu": ("đặc khu", "special zones"),
    "and": ("và", "and"),
    # recipients
    "to_province": ("UBND {province} (để báo cáo);", "{province} People's Committee (for reporting);"),
    "to_dost": (
        "Sở Khoa học và Công nghệ (để báo cáo);",
        "Department of Science and Technology (for reporting);",
    ),
    "to_party_council": (
        "Thường trực Đảng ủy, HĐND {unit};",
        "Standing Party Committee and People's Council;",
    ),
    "to_chairs": (
        "Chủ tịch, các Phó Chủ tịch UBND {unit};",
        "Chair and Vice-Chairs of the People's Committee;",
    ),
    "to_province_party": (
        "Thường trực {party}, HĐND {kind};",
        "Standing Party Committee and People's Council;",
    ),
    "to_communes": ("UBND các {kinds};", "People's Committees of the {kinds};"),
    "to_archive": ("Lưu: VT, VP.", "Archive: clerical office."),
    # commune report
    "title_commune": ("Kết quả chuyển đổi số {period}", "Digital transformation results {period}"),
    "intro_commune": (
        "Ủy ban nhân dân {unit} báo cáo kết quả thực hiện chuyển đổi số {period} (giải quyết hồ sơ "
        "thủ tục hành chính trực tuyến, ký số văn bản, Bộ chỉ số phục vụ người dân, doanh nghiệp theo "
        "Quyết định số 766/QĐ-TTg và phong trào “Bình dân học vụ số”) như sau:",
        "The People's Committee of {unit} reports its digital-transformation results {period} (online "
        "administrative dossiers, digital signatures, the service index of Decision 766/QĐ-TTg and the "
        "“Bình dân học vụ số” movement):",
    ),
    "source_note": (
        "số liệu đến tháng {as_of}, tổng hợp từ hệ thống giải quyết thủ tục hành chính, hệ thống quản lý "
        "văn bản, kết quả Bộ chỉ số phục vụ và số liệu phong trào Bình dân học vụ số; tỷ lệ của kỳ tính "
        "từ số liệu cộng dồn trong kỳ.",
        "figures up to {as_of}, from the administrative-procedure system, the document-management "
        "system, the service index results and the Bình dân học vụ số returns; a period's rates are "
        "computed from its summed counts.",
    ),
    "s_results": ("I. KẾT QUẢ THỰC HIỆN", "I. RESULTS"),
    "s_key_figures": ("1. Các chỉ tiêu chính", "1. Key figures"),
    "s_dossiers": ("2. Giải quyết hồ sơ thủ tục hành chính", "2. Administrative dossiers"),
    "s_signatures": ("3. Ký số văn bản", "3. Digital signatures"),
    "s_index": (
        "4. Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
        "4. Service index (Decision 766/QĐ-TTg)",
    ),
    "s_skills": ("5. Phong trào “Bình dân học vụ số”", "5. Popular Digital Education (“Bình dân học vụ số”)"),
    "s_shortfalls": ("II. TỒN TẠI, HẠN CHẾ", "II. SHORTFALLS"),
    "s_tasks": ("III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI", "III. TASKS AHEAD"),
    "s_tasks_index": ("1. Nâng thứ hạng Bộ chỉ số phục vụ", "1. Climbing the service-index ranking"),
    "s_tasks_targets": ("2. Phấn đấu đạt các chỉ tiêu", "2. Reaching the targets"),
    "s_tasks_other": ("3. Nhiệm vụ khác", "3. Other tasks"),
    "s_proposals": ("IV. ĐỀ XUẤT, KIẾN NGHỊ", "IV. PROPOSALS"),
    "table_key_figures": ("Bảng 1. Các chỉ tiêu chính {period}", "Table 1. Key figures {period}"),
    "table_groups": ("Bảng 2. Điểm từng nhóm chỉ số {period}", "Table 2. Score by index group {period}"),
    "table_skills": (
        "Bảng 3. Chỉ tiêu Bình dân học vụ số {period}",
        "Table 3. Digital-skills figures {period}",
    ),
    "figure_trends": (
        "Hình 1. Diễn biến theo tháng: {unit} so với trung vị tỉnh và mục tiêu",
        "Figure 1. Monthly trend: {unit} against the province median and the target",
    ),
    "figure_groups": (
        "Hình 2. Điểm nhóm chỉ số so với trung vị và cao nhất tỉnh",
        "Figure 2. Group scores against the province median and best",
    ),
    "annex_monthly": ("Số liệu theo tháng của {unit}", "Monthly figures of {unit}"),
    "col_metric": ("Chỉ tiêu", "Metric"),
    "col_change": ("Thay đổi", "Change"),
    "col_rank_province": ("Hạng trong tỉnh", "Rank in province"),
    "col_month": ("Tháng", "Month"),
    "col_online": ("Trực tuyến", "Online"),
    "col_on_time": ("Đúng hạn", "On time"),
    "col_signature": ("Ký số", "Signed"),
    "col_index": ("Điểm 766", "Index"),
    "col_rank": ("Hạng", "Rank"),
    "col_lost": ("Bị mất", "Lost"),
    "col_max": ("Tối đa", "Max"),
    "col_value": ("Giá trị", "Value"),
    "col_needed": ("Cần thêm", "Still needed"),
    "col_unit": ("Đơn vị", "Unit"),
    "no_data_commune": (
        "Kho dữ liệu chưa có số liệu của {unit} {period} (hồ sơ thủ tục hành chính, ký số văn bản, "
        "chỉ số phục vụ, kỹ năng số). Báo cáo sẽ có số liệu sau khi dữ liệu của kỳ này được nạp.",
        "The warehouse has no data for {unit} {period} (dossiers, digital signatures, service "
        "index, digital skills). The report will show figures once this period's data is loaded.",
    ),
    "dossiers_text": (
        "Trong {period}, {unit} tiếp nhận {received} hồ sơ ({previous_label}: {previous_received}), "
        "trong đó {online} hồ sơ nộp trực tuyến ({online_rate}{online_split}), {in_person} hồ sơ nộp "
        "trực tiếp{post_clause}. "
        "Đã giải quyết đúng hạn {on_time} hồ sơ, quá hạn {overdue} hồ sơ (tỷ lệ đúng hạn "
        "{on_time_rate}); thời gian xử lý trung bình {days} ngày. Có {paid} hồ sơ thanh toán trực "
        "tuyến ({paid_rate}) và {digitized} hồ sơ được số hóa ({digitized_rate}).",
        "In {label}, {unit} received {received} dossiers ({previous_label}: {previous_received}), "
        "{online} of them filed online ({online_rate}{online_split}), {in_person} in "
        "person{post_clause}. {on_time} were handled on time "
        "and {overdue} late (on-time rate {on_time_rate}); average processing time {days} days. "
        "{paid} dossiers were paid online ({paid_rate}) and {digitized} digitized "
        "({digitized_rate}).",
    ),
    "online_full": ("toàn trình {n}", "{n} fully online"),
    "online_partial": ("một phần {n}", "{n} partly online"),
    "post_clause": (", {n} hồ sơ qua dịch vụ bưu chính công ích", " and {n} by public postal service"),
    "confidential_clause": (", trong đó {n} văn bản mật", ", {n} of them classified"),
    "no_dossiers": (
        "Kho dữ liệu chưa có hồ sơ của {unit} tiếp nhận {period}.",
        "The warehouse has no dossiers received by {unit} {period}.",
    ),
    "signatures_text": (
        "Trong {period}, {unit} ban hành {issued} văn bản đi{confidential_clause}; "
        "{signed} văn bản được ký số, đạt {rate} số văn bản không mật (mục tiêu {target}; "
        "{previous_label}: {previous_rate}).",
        "In {label}, {unit} issued {issued} outgoing documents{confidential_clause}; "
        "{signed} were signed digitally, {rate} of the non-classified ones (target {target}; "
        "{previous_label}: {previous_rate}).",
    ),
    "no_signatures": (
        "Chưa có số liệu ký số văn bản của {unit} {period}.",
        "No digital-signature data for {unit} {period}.",
    ),
    "index_text": (
        "Tổng điểm {total}/100{estimate} ({previous_label}: {previous_total}), xếp hạng {rank}/{ranked} xã, "
        "phường của {province} ({rank_change}); trung vị tỉnh {median} điểm; thuộc {tier}.",
        "Total score {total}/100{estimate} ({previous_label}: {previous_total}), ranked {rank} of {ranked} in "
        "{province} ({rank_change}); province median {median} points; tier: {tier}.",
    ),
    "index_partial_text": (
        "Chưa xếp hạng {period}: mới công bố {published}/{expected} nhóm chỉ số.",
        "Not ranked {period}: {published} of {expected} groups published.",
    ),
    "no_index": (
        "Chưa có kết quả Bộ chỉ số phục vụ của {unit} {period}.",
        "No service-index result for {unit} {period}.",
    ),
    "rank_up": ("tăng {n} bậc so với {previous_label}", "up {n} {places} on {previous_label}"),
    "rank_down": ("giảm {n} bậc so với {previous_label}", "down {n} {places} on {previous_label}"),
    "rank_same": ("giữ nguyên thứ hạng so với {previous_label}", "same rank as {previous_label}"),
    "rank_new": ("{previous_label} chưa xếp hạng", "not ranked in {previous_label}"),
    "skills_text": (
        "{unit} có {teams} tổ công nghệ số cộng đồng với {members} thành viên; {covered}/{villages} "
        "thôn, tổ dân phố có tổ ({covered_share}). Trong {period} tổ chức {sessions} buổi tập huấn với "
        "{participants} lượt người tham dự. Lũy kế đến cuối kỳ: {vneid} tài khoản VNeID mức 2 đã kích "
        "hoạt ({vneid_share} người trưởng thành); {certified} người được cấp chứng nhận Bình dân học "
        "vụ số ({certified_share}, mục tiêu {target}).",
        "{unit} has {teams} community digital technology teams with {members} members; {covered} of "
        "{villages} villages and residential groups have a team ({covered_share}). In {label} it held "
        "{sessions} training sessions with {participants} attendances. Cumulative at the period's end: "
        "{vneid} level-2 VNeID accounts activated ({vneid_share} of adults); {certified} adults "
        "certified on Bình dân học vụ số ({certified_share}, target {target}).",
    ),
    # shortfalls
    "short_target_median": (
        "{metric} đạt {value}, thấp hơn mục tiêu {target} (còn thiếu {gap}) và thấp hơn trung "
        "vị tỉnh ({median}).",
        "{metric} is {value}, below the {target} target (short by {gap}) and below the "
        "province median ({median}).",
    ),
    "short_target": (
        "{metric} đạt {value}, thấp hơn mục tiêu {target} (còn thiếu {gap}).",
        "{metric} is {value}, below the {target} target (short by {gap}).",
    ),
    "short_median": (
        "{metric} đạt {value}, thấp hơn trung vị tỉnh ({median}); xếp hạng {rank}/{ranked} trong tỉnh.",
        "{metric} is {value}, below the province median ({median}); rank {rank} of {ranked} in the province.",
    ),
    "short_days": (
        "Thời gian xử lý hồ sơ trung bình {value} ngày, dài hơn trung vị tỉnh ({median} ngày).",
        "Average processing time is {value} days, longer than the province median ({median} days).",
    ),
    "short_index_median": (
        "Tổng điểm Bộ chỉ số phục vụ {value}, thấp hơn trung vị tỉnh ({median} điểm).",
        "The service-index total of {value} is below the province median ({median} points).",
    ),
    "short_rank_fell": (
        "Thứ hạng Bộ chỉ số phục vụ giảm {n} bậc so với {previous_label} (từ hạng {before} xuống "
        "hạng {now}).",
        "The service-index rank fell {n} {places} since {previous_label} (from {before} to {now}).",
    ),
    "short_groups": (
        "Các nhóm chỉ số mất nhiều điểm nhất: {groups}.",
        "The index groups losing most points: {groups}.",
    ),
    "short_group_item": (
        "{group} mất {lost}/{max} điểm (trung vị tỉnh {median} điểm)",
        "{group} loses {lost} of {max} points (province median {median} points)",
    ),
    "short_none": (
        "Không có chỉ tiêu nào thấp hơn mục tiêu hoặc trung vị tỉnh.",
        "No figure is below its target or the province median.",
    ),
    "short_no_data": (
        "Chưa đủ số liệu để đánh giá tồn tại, hạn chế {period}.",
        "Not enough data to assess shortfalls {period}.",
    ),
    # tasks
    "task_online_rate": (
        "Tăng hồ sơ nộp trực tuyến: cần thêm {needed} hồ sơ trực tuyến (trên {base} hồ sơ của kỳ) "
        "để đạt mục tiêu {target}.",
        "More online filings: {needed} more online dossiers (out of the period's {base}) reach "
        "the {target} target.",
    ),
    "task_on_time_rate": (
        "Giải quyết đúng hạn thêm {needed} hồ sơ (trên {base} hồ sơ đã đến hạn xử lý) để đạt {target}.",
        "{needed} more dossiers handled on time (out of {base} due) reach {target}.",
    ),
    "task_signature_rate": (
        "Ký số toàn bộ văn bản đi không mật: còn {needed} văn bản chưa được ký số.",
        "Sign every non-classified outgoing document digitally: {needed} documents were not signed.",
    ),
    "task_digitized_rate": (
        "Số hóa thêm {needed} hồ sơ (trên {base} hồ sơ của kỳ) để đạt mục tiêu {target}.",
        "Digitize {needed} more dossiers (out of the period's {base}) to reach {target}.",
    ),
    "task_adults_certified_share": (
        "Cấp chứng nhận Bình dân học vụ số cho thêm {needed} người trưởng thành (trên "
        "{base} người) để đạt mục tiêu {target}.",
        "Certify {needed} more adults on Bình dân học vụ số (out of {base}) to reach the {target} target.",
    ),
    "task_villages": (
        "Thành lập tổ công nghệ số cộng đồng cho {n} thôn, tổ dân phố chưa có tổ.",
        "Set up community digital technology teams in the {n} villages without one.",
    ),
    # section III: the service index, written as tasks (the formulas are in the appendix)
    "task_rank_up": (
        "Phấn đấu tăng ít nhất một bậc xếp hạng trong tỉnh (hiện hạng {rank}/{ranked}): cần thêm khoảng "
        "{points} điểm (ước tính).",
        "Climb at least one place in the province (now {rank} of {ranked}): about {points} more points "
        "(estimate).",
    ),
    "task_rank_first": (
        "Giữ vị trí dẫn đầu tỉnh về Bộ chỉ số phục vụ.",
        "Keep the first place in the province's service index.",
    ),
    "task_gain": (
        " (nhóm {group}: ước tính +{points} điểm)",
        " ({group}: an estimated +{points} points)",
    ),
    "task_threshold": (", đạt ngưỡng {threshold}", ", reaching the {threshold} threshold"),
    "task_fewer_overdue": (
        "Giải quyết đúng hạn các hồ sơ thủ tục hành chính, giảm ít nhất {count} hồ sơ quá hạn so với "
        "kỳ này{threshold}{gain}.",
        "Handle administrative dossiers on time, with at least {count} fewer overdue than this "
        "period{threshold}{gain}.",
    ),
    "task_fewer_overdue_satisfaction": (
        "Giải quyết đúng hạn các hồ sơ để nâng mức độ hài lòng của người dân, giảm ít nhất {count} hồ sơ "
        "quá hạn{threshold}{gain}.",
        "Handle dossiers on time to raise citizens' satisfaction, with at least {count} fewer "
        "overdue{threshold}{gain}.",
    ),
    "task_more_online": (
        "Hướng dẫn người dân, doanh nghiệp nộp hồ sơ trực tuyến: thêm ít nhất {count} hồ sơ trực tuyến "
        "(trên {base} hồ sơ của kỳ){threshold}{gain}.",
        "Help citizens and businesses file online: at least {count} more online dossiers (out of the "
        "period's {base}){threshold}{gain}.",
    ),
    "task_more_paid_online": (
        "Hướng dẫn thanh toán phí, lệ phí trực tuyến: thêm ít nhất {count} hồ sơ thanh toán trực tuyến "
        "(trên {base} hồ sơ của kỳ){threshold}{gain}.",
        "Promote online payment of fees: at least {count} more dossiers paid online (out of the period's "
        "{base}){threshold}{gain}.",
    ),
    "task_more_digitized": (
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính: thêm ít nhất {count} hồ sơ được số hóa "
        "(trên {base} hồ sơ của kỳ){threshold}{gain}.",
        "Digitize dossiers and their results: at least {count} more digitized dossiers (out of the "
        "period's {base}){threshold}{gain}.",
    ),
    "task_indicators": (
        "Rà soát, thực hiện đầy đủ các chỉ tiêu của nhóm {group}: {indicators} (đang mất {points} điểm{est}).",
        "Review and meet the {group} indicators: {indicators} (now losing {points} points{est}).",
    ),
    "task_indicators_other": (
        "Rà soát các chỉ tiêu của nhóm {group} không thể hiện trong hồ sơ: {indicators} (khoảng {points} "
        "điểm, ước tính).",
        "Review the {group} indicators the dossiers do not show: {indicators} (about {points} points, "
        "estimate).",
    ),
    "estimate_suffix": (", ước tính", ", estimate"),
    "estimate_mark": (" (ước tính)", " (estimate)"),
    "annex_reference": (
        "(Kèm theo Báo cáo số …/BC-UBND ngày {date} của UBND {unit})",
        "(Attached to Report No. …/BC-UBND of {date} of the People's Committee of {unit})",
    ),
    "annex_estimates": (
        "Cách ước tính điểm Bộ chỉ số phục vụ (mục III)",
        "How the service-index points are estimated (section III)",
    ),
    "annex_estimates_note": (
        "Điểm ước tính theo quy tắc tính điểm giả định của Bộ chỉ số (Quyết định 766/QĐ-TTg), từ số hồ sơ "
        "của kỳ; điểm công bố chính thức có thể khác.",
        "Points are estimated with the service index's assumed scoring rules (Decision 766/QĐ-TTg) from "
        "the period's dossiers; the officially published points may differ.",
    ),
    "annex_sources": ("Nguồn số liệu", "Sources"),
    "task_all_met": ("Duy trì các chỉ tiêu đã đạt mục tiêu.", "Keep the targets already met."),
    "task_no_index": (
        "Chưa có kết quả chỉ số phục vụ để tính nhiệm vụ.",
        "No service-index result to plan from.",
    ),
    # province briefing
    "title_province": (
        "Kết quả chuyển đổi số của các {kinds} {period}",
        "Digital transformation of the communes {period}",
    ),
    "intro_province": (
        "Tổng hợp kết quả chuyển đổi số của {units} thuộc {province} {period} như sau:",
        "Digital-transformation results of the {units} of {province} {period}:",
    ),
    "s_overview": ("I. TỔNG QUAN", "I. OVERVIEW"),
    "s_ranking": ("II. XẾP HẠNG CÁC {kinds_upper}", "II. COMMUNE RANKING"),
    "s_tiers": ("1. Phân nhóm theo tứ phân vị tổng điểm", "1. Tiers by quartile of the total score"),
    "s_movers": (
        "2. Thay đổi thứ hạng lớn nhất so với {previous_label}",
        "2. Biggest moves since {previous_label}",
    ),
    "s_lowest": (
        "3. Mười xã, phường có tổng điểm thấp nhất và nhóm chỉ số kéo điểm xuống",
        "3. The ten lowest communes and what drags them down",
    ),
    "s_province_skills": ("III. PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”", "III. POPULAR DIGITAL EDUCATION"),
    "s_province_proposals": ("{n}. NHẬN XÉT, ĐỀ XUẤT", "{n}. REMARKS AND PROPOSALS"),
    "province_index_text": (
        "Chỉ số phục vụ trung bình của {province}: {value} điểm, xếp hạng {rank}/{ranked} tỉnh, "
        "thành phố ({rank_change}).",
        "Average service index of {province}: {value} points, ranked {rank} of {ranked} "
        "provinces ({rank_change}).",
    ),
    "province_index_none": (
        "Chưa có chỉ số phục vụ của {province} {period}.",
        "No service index for {province} {period}.",
    ),
    "table_headline": (
        "Bảng 1. {province} so với cả nước {period}",
        "Table 1. {province} against the country {period}",
    ),
    "table_targets": ("Bảng 2. Số xã, phường đạt mục tiêu", "Table 2. Communes meeting the targets"),
    "table_tiers": ("Bảng 3. Số xã, phường theo nhóm", "Table 3. Communes per tier"),
    "table_up": ("Bảng 4. Tăng hạng nhiều nhất", "Table 4. Biggest moves up"),
    "table_down": ("Bảng 5. Giảm hạng nhiều nhất", "Table 5. Biggest moves down"),
    "table_lowest": ("Bảng 6. Mười xã, phường thấp nhất", "Table 6. The ten lowest"),
    "table_province_skills": (
        "Bảng 7. Bình dân học vụ số: {province} so với cả nước",
        "Table 7. Digital skills: {province} against the country",
    ),
    "table_ranking": ("Bảng xếp hạng các {kinds} {period}", "Commune ranking {period}"),
    "figure_distribution": (
        "Hình 1. Tổng điểm các xã, phường (xếp từ thấp đến cao, màu theo nhóm)",
        "Figure 1. Total scores of the communes (lowest to highest, coloured by tier)",
    ),
    "figure_worst_groups": (
        "Hình 2. Nhóm chỉ số làm mất nhiều điểm nhất (số xã)",
        "Figure 2. Group costing most points (communes)",
    ),
    "worst_group_text": (
        "Nhóm chỉ số làm mất nhiều điểm nhất ở nhiều xã nhất: {group} ({n}/{total} xã).",
        "The group costing most points in the most communes: {group} ({n} of {total}).",
    ),
    "col_province_now": ("{province}", "{province}"),
    "col_tier_range": ("Tổng điểm", "Total score"),
    "col_tier_name": ("Tên nhóm", "Tier name"),
    "col_min_total": ("Điểm thấp nhất", "Lowest score"),
    "col_max_total": ("Điểm cao nhất", "Highest score"),
    "col_previous_rank": ("Hạng kỳ trước", "Previous rank"),
    "col_drags": ("Nhóm kéo điểm xuống (điểm mất)", "Groups dragging it down (points lost)"),
    "col_at_target": ("Số xã đạt", "Communes meeting it"),
    "col_with_data": ("Số xã có số liệu", "Communes with data"),
    "tier_none": ("Chưa xếp hạng", "Not ranked"),
    "no_movers": (
        "Chưa có thứ hạng {previous_label} để so sánh.",
        "No ranks for {previous_label} to compare with.",
    ),
    "no_data_province": (
        "Kho dữ liệu chưa có số liệu của các {kinds} thuộc {province} {period}.",
        "The warehouse has no data for the communes of {province} {period}.",
    ),
    "placeholder_remarks": ("(Bổ sung nhận xét, đề xuất.)", "(Add remarks and proposals.)"),
    # xlsx
    "sheet_summary": ("Tổng hợp", "Summary"),
    "sheet_monthly": ("Theo tháng", "Monthly"),
    "sheet_index": ("Chỉ số 766", "Service index"),
    "sheet_skills": ("Kỹ năng số", "Digital skills"),
    "sheet_text": ("Tồn tại - Nhiệm vụ", "Shortfalls - Tasks"),
    "sheet_overview": ("Tổng quan", "Overview"),
    "sheet_ranking": ("Xếp hạng", "Ranking"),
    "sheet_movers": ("Tăng giảm hạng", "Movers"),
    "sheet_lowest": ("10 xã thấp nhất", "Ten lowest"),
    "sheet_groups": ("Nhóm chỉ số", "Index groups"),
    "xlsx_rank_history": ("Thứ hạng trong tỉnh qua các kỳ", "Rank in the province over time"),
    "xlsx_counts": ("Số liệu của kỳ", "Counts of the period"),
    "xlsx_commune": ("Xã/phường", "Commune"),
    "xlsx_province": ("Tỉnh/thành phố", "Province"),
    "xlsx_period": ("Kỳ báo cáo", "Period"),
    "xlsx_generated": ("Ngày lập tệp", "File generated on"),
    "xlsx_issued": ("Ngày báo cáo", "Report date"),
    "xlsx_rates_note": (
        "Tỷ lệ ghi dạng phần trăm; số liệu lấy từ kho dữ liệu, giống bảng điều khiển.",
        "Rates are percentages; figures come from the warehouse, as on the dashboard.",
    ),
    "unit_people": ("người", "people"),
    "unit_per_month": ("/tháng", "/month"),
}

MONTH_NAMES_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def t(key: str, lang: str = "vi") -> str:
    vi, en = LABELS[key] if key in LABELS else APP_LABELS[key]
    return en if lang == "en" else vi


def period_phrase(period: Period, lang: str = "vi") -> str:
    """'tháng 10/2025', 'quý 4/2025', 'năm 2025' / 'for 10/2025', 'for Q4 2025', 'for 2025'."""
    label = period.label(lang)
    if lang == "en":
        return f"for {label}"
    if period.period_type == "month":
        return f"tháng {label}"
    return label[0].lower() + label[1:]


def period_in(period: Period, lang: str = "vi") -> str:
    """The period after 'Trong' / 'In': 'tháng 10/2025' / '10/2025'."""
    return period.label(lang) if lang == "en" else period_phrase(period, lang)


def place_date(place: str, day: date | None, lang: str = "vi") -> str:
    """'Vân Bán, ngày 05 tháng 11 năm 2025': days below 10 and months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I).  Without a date the day, month and year are left for the
    signer ('Vân Bán, ngày … tháng … năm …'): a report is dated when it is signed, not when the file
    was generated."""
    if day is None:
        return t("place_date_blank", lang).format(place=place)
    if lang == "en":
        return t("place_date", lang).format(
            place=place, day=day.day, month_name=MONTH_NAMES_EN[day.month - 1], year=day.year
        )
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return t("place_date", lang).format(place=place, day=f"{day.day:02d}", month=month, year=day.year)


def date_short(day: date | None) -> str:
    """'05/11/2025'; '…' without a date (left for the signer)."""
    return "…" if day is None else day.strftime("%d/%m/%Y")


def signed(value: float | None, lang: str, decimals: int, unit: str = "") -> str:
    """+1,5 / −1,5 / 0 with an optional unit; '–' for missing."""
    if value is None:
        return "–"
    if round(value, decimals) == 0:
        text = fmt_number(0, lang, decimals)
    else:
        text = ("+" if value > 0 else "-") + fmt_number(abs(value), lang, decimals)
    return f"{text} {unit}".rstrip()


def count(value, lang: str) -> str:
    return fmt_number(None if value is None else int(value), lang)


def pct(value, lang: str, decimals: int = 1) -> str:
    return fmt_pct(value, lang, decimals)
