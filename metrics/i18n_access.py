"""Labels of sign-in, scope refusals and uploads (merged into metrics.i18n.LABELS)."""

ACCESS_LABELS: dict[str, tuple[str, str]] = {
    "open_mode_banner": (
        "Chế độ mở: không cần đăng nhập, mọi người truy cập được đều xem được toàn bộ dữ liệu.",
        "Open mode: no sign-in required; anyone who reaches this app sees all data.",
    ),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_in_sso": ("Đăng nhập bằng tài khoản tổ chức (SSO)", "Sign in with your organisation (SSO)"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "sign_in_failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    "sign_in_locked": (
        "Quá nhiều lần đăng nhập sai cho tài khoản này từ địa chỉ này. Thử lại sau {minutes} phút.",
        "Too many failed sign-ins for this account from this address. Try again in {minutes} minutes.",
    ),
    "session_expired": (
        "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.",
        "Your session has expired; please sign in again.",
    ),
    "users_file_error": (
        "Tệp tài khoản không dùng được nên chưa ai đăng nhập được — báo quản trị viên lỗi sau:",
        "The users file cannot be used, so nobody can sign in — tell the administrator:",
    ),
    "signed_in_as": ("Đăng nhập: {user} ({role})", "Signed in: {user} ({role})"),
    "role_national": ("toàn quốc", "national"),
    "role_province": ("cấp tỉnh {scope}", "province {scope}"),
    "role_commune": ("cấp xã {scope}", "commune {scope}"),
    "role_steward": ("quản trị dữ liệu tỉnh {scope}", "data steward, province {scope}"),
    "refused_scope": (
        "Không có quyền xem: địa bàn trong đường dẫn nằm ngoài phạm vi tài khoản của bạn.",
        "Not allowed: the place in this link is outside your account's scope.",
    ),
    "back_to_scope": ("Về địa bàn của tôi", "Back to my area"),
    "refused_role": (
        "Trang này chỉ dành cho cán bộ quản trị dữ liệu.",
        "This page is for data stewards only.",
    ),
    # uploads
    "nav_upload": ("Nạp dữ liệu", "Upload data"),
    "q_upload": (
        "Nạp tệp xuất từ hệ thống một cửa và cổng quốc gia cho tỉnh của bạn.",
        "Load the files exported by the one-stop systems and the national portal for your province.",
    ),
    "upload_files": (
        "Chọn tệp CSV, XLSX hoặc JSON (tối đa {mb} MB mỗi tệp)",
        "Choose CSV, XLSX or JSON files (at most {mb} MB each)",
    ),
    "upload_preview": ("Xem trước (chưa ghi gì vào kho)", "Preview (nothing written yet)"),
    "upload_confirm": ("Xác nhận nạp", "Confirm and load"),
    "upload_refused": (
        "{n} tệp bị từ chối, không đọc — lý do và cách sửa ở bảng dưới.",
        "{n} file(s) refused, not read — why and what to do in the table below.",
    ),
    "upload_done": (
        "Đã nạp: {loaded} dòng, thay thế {replaced}, loại {rejected}.",
        "Loaded: {loaded} rows, {replaced} replaced, {rejected} rejected.",
    ),
    "upload_nothing": ("Không có tệp nào nạp được.", "No file could be loaded."),
    "upload_rejects": ("Các dòng sẽ bị loại", "Rows that would be rejected"),
    # column mapping (ui/mapping_editor.py)
    "map_toggle": ("Ánh xạ cột của tệp vào cột chuẩn", "Map the file's columns to the contract's columns"),
    "map_help": (
        "Chọn cho mỗi cột của tệp cột chuẩn tương ứng (để trống: bỏ qua cột). Xem trước cho thấy các dòng "
        "đầu như sẽ được nạp; lưu thành hồ sơ ánh xạ để dùng lại.",
        "Choose the contract column of each of the file's columns (blank: the column is ignored). The "
        "preview shows the first rows as they would load; save it as a mapping profile to use again.",
    ),
    "map_file": ("Tệp cần ánh xạ", "File to map"),
    "map_profile": ("Hồ sơ ánh xạ đã lưu", "Saved mapping profile"),
    "map_new": ("(ánh xạ mới)", "(new mapping)"),
    "map_kind": ("Loại tệp", "File kind"),
    "map_column": ("Cột {header} của tệp", "File column {header}"),
    "map_ignore": ("— bỏ qua —", "— ignore —"),
    "map_preview": ("Xem trước các dòng đầu như sẽ được nạp", "Preview of the first rows as they would load"),
    "map_preview_counts": (
        "{rows} dòng đầu được đọc: {loaded} hợp lệ, {rejected} bị loại.",
        "First {rows} rows read: {loaded} valid, {rejected} rejected.",
    ),
    "map_name": ("Tên hồ sơ ánh xạ (chữ không dấu, số, - _ .)", "Profile name (letters, digits, - _ .)"),
    "map_replace": ("Ghi đè hồ sơ cùng tên của tỉnh", "Replace the province's profile of that name"),
    "map_save": ("Lưu hồ sơ ánh xạ", "Save mapping profile"),
    "map_saved": ("Đã lưu hồ sơ ánh xạ {name}.", "Mapping profile {name} saved."),
    "map_load": ("Nạp tệp với ánh xạ này", "Load the file with this mapping"),
    "col_file": ("Tệp", "File"),
    "col_kind": ("Loại", "Kind"),
    "col_status": ("Trạng thái", "Status"),
    "col_rows_read": ("Dòng đọc được", "Rows read"),
    "col_communes_matched": ("Xã khớp", "Communes matched"),
    "col_rows_rejected": ("Dòng bị loại", "Rows rejected"),
    "col_rows_replaced": ("Dòng thay bản cũ", "Rows replacing earlier versions"),
    "col_message": ("Ghi chú", "Message"),
    "col_uploaded_at": ("Thời điểm nạp", "Uploaded at"),
    "col_uploaded_by": ("Người nạp", "Uploaded by"),
    "col_size_bytes": ("Dung lượng (byte)", "Size (bytes)"),
    "col_content_sha256": ("Mã băm SHA-256", "SHA-256 hash"),
    "col_reasons": ("Dòng bị loại theo lý do", "Rows rejected, by rule"),
    "h_uploads": ("Lịch sử nạp qua trình duyệt", "Uploads through the browser"),
    "empty_uploads": ("Chưa có lần nạp nào qua trình duyệt.", "No uploads through the browser yet."),
}
