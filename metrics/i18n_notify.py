"""Labels (vi, en) of the "needs attention" list (metrics/attention.py, ui/attention_section.py), the
notify e-mails (notify/) and the last-run section of the data-quality page; merged into
metrics.i18n.LABELS."""

from __future__ import annotations

NOTIFY_LABELS: dict[str, tuple[str, str]] = {
    # the needs-attention list (page and e-mail)
    "h_attention": ("Xã cần chú ý", "Communes needing attention"),
    "att_level": ("Mức", "Level"),
    "att_level_urgent": ("Cần cải thiện gấp", "Urgent"),
    "att_level_attention": ("Cần chú ý", "Needs attention"),
    "att_reasons": ("Lý do", "Reasons"),
    "att_rank_drop": (
        "Tụt {places} bậc trong xếp hạng của tỉnh",
        "Fell {places} places in the province ranking",
    ),
    "att_no_data": ("Không có dữ liệu {source} trong kỳ", "No {source} data for the period"),
    "att_stale": (
        "Dữ liệu {source} mới nhất là tháng {month} (cũ hơn {days} ngày)",
        "Latest {source} data is from {month} (older than {days} days)",
    ),
    "att_counts": (
        "{urgent} xã cần cải thiện gấp, {attention} xã cần chú ý (trên {total} xã)",
        "{urgent} communes urgent, {attention} needing attention (of {total})",
    ),
    "att_none": (
        "Không có xã nào vi phạm quy tắc cảnh báo trong kỳ này.",
        "No commune breaks an alert rule this period.",
    ),
    "att_rules_note": (
        "Theo quy tắc cảnh báo ({path}); cùng danh sách được gửi qua thư điện tử.",
        "By the alert rules ({path}); the same list is sent by e-mail.",
    ),
    "att_rules_error": ("Tệp quy tắc cảnh báo bị lỗi: {error}", "The alert rules file is wrong: {error}"),
    # e-mails
    "mail_subject_commune": (
        "Báo cáo chuyển đổi số {period}: {unit}",
        "Digital transformation report {period}: {unit}",
    ),
    "mail_subject_province": (
        "Tóm tắt chuyển đổi số {period}: {unit}",
        "Digital transformation briefing {period}: {unit}",
    ),
    "mail_subject_national": (
        "Tổng hợp chuyển đổi số {period}: 34 tỉnh, thành phố",
        "Digital transformation summary {period}: 34 provinces",
    ),
    "mail_correction": ("[Đính chính] ", "[Correction] "),
    "mail_correction_note": (
        "Thư này đính chính thư đã gửi cho kỳ {period}: số liệu đã được cập nhật sau lần gửi trước.",
        "This message corrects the one sent for {period}: the figures changed after it was sent.",
    ),
    "mail_greeting": ("Kính gửi {user},", "Dear {user},"),
    "mail_intro_commune": (
        "Số liệu kỳ {period} của {unit} đã được cập nhật. Dự thảo báo cáo (Word, PDF) được đính kèm.",
        "The {period} figures of {unit} are in. The draft report (Word, PDF) is attached.",
    ),
    "mail_intro_province": (
        "Số liệu kỳ {period} của {unit} đã được cập nhật. Báo cáo tóm tắt (Word, PDF) được đính kèm.",
        "The {period} figures of {unit} are in. The briefing (Word, PDF) is attached.",
    ),
    "mail_intro_national": (
        "Số liệu kỳ {period} đã được cập nhật. Bảng dưới đây tổng hợp 34 tỉnh, thành phố.",
        "The {period} figures are in. The table below summarises the 34 provinces.",
    ),
    "mail_alerts_only": (
        "Thư này chỉ gồm các cảnh báo (không đính kèm báo cáo).",
        "Alerts only (no report attached).",
    ),
    "mail_figures": ("Số liệu chính", "Key figures"),
    "mail_open": ("Mở trên bảng điều khiển", "Open in the dashboard"),
    "mail_own_alerts_none": (
        "Không có cảnh báo nào cho xã trong kỳ này.",
        "No alerts for the commune this period.",
    ),
    "mail_more": ("… và {n} xã khác (xem trên bảng điều khiển).", "… and {n} more (see the dashboard)."),
    "mail_footer": (
        "Thư tự động từ bảng điều khiển chuyển đổi số cấp xã. Để ngừng nhận, đề nghị quản trị viên "
        "chạy `python -m accounts set {user} --subscribe none`.",
        "An automatic message from the commune digital transformation dashboard. To stop receiving it, "
        "ask the administrator to run `python -m accounts set {user} --subscribe none`.",
    ),
    "mail_col_value": ("Giá trị", "Value"),
    "mail_col_target": ("Mục tiêu", "Target"),
    "mail_col_province": ("Tỉnh, thành phố", "Province"),
    "mail_col_urgent": ("Xã cần cải thiện gấp", "Communes urgent"),
    "mail_col_attention": ("Xã cần chú ý", "Communes needing attention"),
    # data-quality page: the last notify run
    "h_notify": ("Gửi thư điện tử (lần chạy gần nhất)", "E-mail notifications (last run)"),
    "notify_never": (
        "Chưa gửi thư điện tử nào (`python -m notify run`).",
        "No e-mail sent yet (`python -m notify run`).",
    ),
    "notify_summary": (
        "Lần chạy {at}, kỳ {period}: gửi {sent}, đính chính {corrections}, bỏ qua (đã gửi) {skipped}, lỗi {failed}.",
        "Run at {at}, period {period}: {sent} sent, {corrections} corrections, {skipped} skipped (already sent), {failed} failed.",
    ),
    "col_recipient": ("Người nhận", "Recipient"),
    "col_error": ("Lỗi", "Error"),
}
