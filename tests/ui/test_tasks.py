"""The background runner: results on the UI thread, serialised DB work, Chinese failures, cancel with progress."""

from __future__ import annotations

import threading
import time

import shiboken6
from PySide6.QtWidgets import QApplication, QPushButton

from zwgk_desktop.errors import Cancelled, InvalidInput
from zwgk_desktop.ui.tasks import error_message


def test_result_is_delivered_on_the_ui_thread(qtbot, tasks):
    """A background result reaches its callback on the UI thread, after running on another thread."""
    seen: dict = {}

    def work():
        seen["worker"] = threading.current_thread()
        return 41 + 1

    def done(value):
        seen["value"] = value
        seen["callback"] = threading.current_thread()

    tasks.run(work, done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 42
    assert seen["callback"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()
    assert tasks.pending == 0


def test_database_work_runs_one_task_at_a_time(qtbot, tasks):
    """Work marked as touching the database never overlaps (writes are serialised)."""
    active, overlaps, finished = [0], [], []
    lock = threading.Lock()

    def work(n):
        with lock:
            active[0] += 1
            overlaps.append(active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return n

    for n in range(5):
        tasks.run(lambda n=n: work(n), finished.append)
    qtbot.waitUntil(lambda: len(finished) == 5, timeout=5000)
    assert max(overlaps) == 1
    assert finished == [0, 1, 2, 3, 4]


def test_failure_reports_the_chinese_message(qtbot, tasks):
    """A task that fails with a ZwgkError hands its Chinese message to the failure callback and the signal."""
    failures = []

    def work():
        raise InvalidInput("身份证号码校验位错误，请核对后重新输入。")

    with qtbot.waitSignal(tasks.task_failed, timeout=5000) as signal:
        tasks.run(work, on_failure=failures.append)
    assert signal.args == ["身份证号码校验位错误，请核对后重新输入。"]
    qtbot.waitUntil(lambda: bool(failures), timeout=2000)
    assert error_message(failures[0]) == "身份证号码校验位错误，请核对后重新输入。"


def test_a_bug_is_reported_in_chinese_not_as_a_traceback(qtbot, tasks):
    """An unexpected exception becomes a generic Chinese message saying nothing was changed."""
    failures = []
    with qtbot.waitSignal(tasks.task_failed, timeout=5000) as signal:
        tasks.run(lambda: 1 / 0, on_failure=failures.append)
    assert "程序内部错误" in signal.args[0] and "ZeroDivisionError" in signal.args[0]
    assert "数据未被修改" in signal.args[0]


def test_progress_dialog_shows_progress_and_cancel_stops_the_job(qtbot, tasks):
    """The progress dialog reads the job's message; Cancel sets the flag the work checks, and the work stops."""
    started = threading.Event()
    failures, successes = [], []

    def work(job):
        for step in range(1000):
            job.check()
            job.progress(step, 1000, f"正在处理第 {step} 户…")
            started.set()
            time.sleep(0.01)
        return "finished"

    future, job, dialog = tasks.run_with_progress(work, successes.append, "正在导入花名册…", on_failure=failures.append)
    assert started.wait(5)
    qtbot.waitUntil(lambda: "正在处理第" in dialog.labelText(), timeout=5000)
    assert dialog.maximum() == 1000
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button.text() == "取消"
    cancel_button.click()
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert job.cancelled
    assert isinstance(failures[0], Cancelled)
    assert successes == []
    assert future.done()


def test_progress_task_delivers_its_result_and_closes_the_dialog(qtbot, tasks):
    """A task that completes closes its progress dialog and hands over its result."""
    results = []

    def work(job):
        job.progress(1, 1, "完成")
        return {"households": 3}

    _future, _job, dialog = tasks.run_with_progress(work, results.append, "正在处理…")
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [{"households": 3}]
    QApplication.processEvents()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_result_for_a_closed_widget_is_dropped(qtbot, tasks):
    """A page deleted while its work runs is not touched when the result arrives (no crash, no callback)."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    release = threading.Event()
    touched = []

    def slow():
        release.wait(5)
        return "页面"

    tasks.run(slow, lambda text: (touched.append(text), label.setText(text)), owner=label)
    shiboken6.delete(label)
    release.set()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=5000)
    assert touched == []
