"""The main window: composes the panels (reports, task, model, run bar, results, detail,
previous runs) and connects their signals to the session and the window actions.

No logic lives here: panels show, the session decides, WindowActions runs the dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QFrame, QMainWindow, QScrollArea, QSplitter, QTabWidget, QToolBar,
                               QVBoxLayout, QWidget)

from pluk.core.settings import Settings
from pluk.gui.detail_pane import DetailPane
from pluk.gui.drop import FileDropFilter
from pluk.gui.history_panel import HistoryPanel
from pluk.gui.icon import app_icon
from pluk.gui.inputs_panel import InputsPanel
from pluk.gui.model_picker import ModelPicker
from pluk.gui.results_panel import ResultsPanel
from pluk.gui.review_panel import ReviewPanel
from pluk.gui.run_panel import RunPanel
from pluk.gui.session import Session
from pluk.gui.task_panel import TaskPanel
from pluk.gui.validation_panel import ValidationPanel
from pluk.gui.window_actions import WindowActions

SHORT_SCREEN = 800  # px of usable height below which the toolbar (all in the menus) makes way


class _Scrolled(QScrollArea):
    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # As wide as the panel needs (it never scrolls sideways), as short as a few lines.
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(self.widget().minimumSizeHint().width() + bar, 120)


class _Holder(QWidget):
    """Holds a scrolled panel. Its wrapped labels give it a height for each width, which the
    scroll area would take as the panel's height (their preferred one): the panel would scroll
    where it fits. The minimum height is what must fit; the layout spreads any more."""

    def __init__(self, widget: QWidget):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)

    def heightForWidth(self, _width: int) -> int:  # noqa: N802 - Qt's name
        return self.minimumSizeHint().height()


def scrolled(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: its minimum height never grows the window past the
    screen (the Validation tab's wrapped lines did, pushing Start under a taskbar); where the
    room is too small it scrolls up and down instead, never sideways."""
    area = _Scrolled()
    area.setWidget(_Holder(widget))
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings):
        super().__init__()
        self.setWindowTitle("Pluk")
        self.setWindowIcon(app_icon())
        self.session = Session(settings, self)
        self.window_actions = WindowActions(self, self.session)

        self.inputs = InputsPanel()
        self.task_panel = TaskPanel()
        self.model_picker = ModelPicker()
        self.run_panel = RunPanel()
        self.results = ResultsPanel()
        self.detail = DetailPane()
        self.history = HistoryPanel()
        self.validation = ValidationPanel()
        self.review = ReviewPanel()
        self.review.set_reviewer(settings.reviewer)
        self.review.report_for = self.session.report_by_id
        self._compose()
        self._make_actions()
        self._connect()
        self.statusBar()  # there from the start: a first message must not move the panels
        self._fit_to_screen()

        self.drops = FileDropFilter(self)
        self.drops.watch(self)
        self.drops.paths_dropped.connect(self.window_actions.route_drop)
        self.drops.drag_active.connect(self.inputs.set_drag_active)

        self.task_panel.reload(select_id=settings.last_task)
        self.model_picker.reload(settings.recent_models, select=settings.last_model)
        self.history.set_roots(self.window_actions.run_roots())
        self._update_ready()

    # -- layout ------------------------------------------------------------------------------

    def _compose(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(10, 6, 5, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.inputs, 5)
        left_layout.addWidget(self.task_panel, 4)
        left_layout.addWidget(self.model_picker, 0)

        results_split = QSplitter(Qt.Orientation.Vertical)
        results_split.addWidget(self.results)
        results_split.addWidget(self.detail)
        results_split.setSizes([430, 300])
        self.tabs = QTabWidget()
        self._pages = {}
        for page, title in ((results_split, self.tr("Results")), (self.review, self.tr("Review")),
                            (self.validation, self.tr("Validation")),
                            (self.history, self.tr("Previous runs"))):
            self._pages[page] = scrolled(page)
            self.tabs.addTab(self._pages[page], title)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(5, 10, 10, 0)
        right_layout.addWidget(self.tabs)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.left = scrolled(left)
        split.addWidget(self.left)
        split.addWidget(right)
        split.setSizes([440, 920])
        split.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 10)
        layout.addWidget(split, 1)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(10, 0, 10, 0)
        bottom.addWidget(self.run_panel)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

    def _fit_to_screen(self) -> None:
        """1360x860 where there is room; on a smaller screen (a 1280x720 laptop), most of it,
        and never more: the panels scroll rather than push the window past the screen."""
        width, height = 1360, 860
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.95))
            height = min(height, int(room.height() * 0.92))
            self.toolbar.setVisible(room.height() >= SHORT_SCREEN)
            if room.height() < SHORT_SCREEN:
                # A laptop screen: all of it. Maximized, the window manager keeps the frame and
                # the taskbar inside the screen, which a size of our own cannot know.
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        self.resize(width, height)

    def _make_actions(self) -> None:
        def action(text, slot, shortcut=None) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(slot)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            return act

        self.add_folder_action = action(self.tr("Add folder…"), self.inputs.choose_folder,
                                        "Ctrl+O")
        self.add_files_action = action(self.tr("Add files…"), self.inputs.choose_files)
        self.open_run_action = action(self.tr("Open run folder…"), self.history.browse)
        self.export_action = action(self.tr("Export results…"),
                                    self.window_actions.export_results, "Ctrl+E")
        self.export_action.setEnabled(False)
        self.quit_action = action(self.tr("Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.new_task_action = action(self.tr("New task…"),
                                      lambda: self.window_actions.open_task_editor())
        self.settings_action = action(self.tr("Settings…"), self.window_actions.edit_settings,
                                      "Ctrl+,")
        self.models_action = action(self.tr("Models…"), self.window_actions.open_model_manager)
        self.run_action = action(self.tr("Run"), self.window_actions.run, "Ctrl+R")
        self.stop_action = action(self.tr("Stop"), self.window_actions.stop, "Esc")
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        for act in (self.add_folder_action, self.add_files_action, None, self.open_run_action,
                    self.export_action, None, self.models_action, self.settings_action, None,
                    self.quit_action):
            file_menu.addSeparator() if act is None else file_menu.addAction(act)
        run_menu = menus.addMenu(self.tr("&Run"))
        run_menu.addActions([self.run_action, self.stop_action, self.new_task_action])
        help_menu = menus.addMenu(self.tr("&Help"))
        self.guide_action = action(self.tr("User guide"), self.window_actions.show_guide,
                                   QKeySequence.StandardKey.HelpContents)
        help_menu.addAction(self.guide_action)
        help_menu.addAction(action(self.tr("Open log folder"),
                                   self.window_actions.open_log_folder))
        help_menu.addAction(action(self.tr("About Pluk"), self.window_actions.about))
        toolbar = self.toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.add_folder_action, self.add_files_action])
        toolbar.addSeparator()
        toolbar.addActions([self.new_task_action, self.export_action])
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

    def _connect(self) -> None:
        s = self.session
        self.inputs.paths_chosen.connect(s.add_paths)
        self.inputs.cleared.connect(s.clear_inputs)
        s.reading_changed.connect(self.inputs.set_reading)
        s.reading_status.connect(self.inputs.set_reading_status)
        s.reports_changed.connect(self.inputs.show_reports)
        s.reports_changed.connect(self.task_panel.suggest_for)
        s.inputs_failed.connect(self.inputs.show_failure)
        self.inputs.grouping_chosen.connect(s.set_grouping)
        s.grouping_checked.connect(self.inputs.show_grouping_problem)
        s.grouping_adopted.connect(self.inputs.show_grouping)
        self.task_panel.task_chosen.connect(s.set_task)
        self.task_panel.edit_requested.connect(self.window_actions.open_task_editor)
        self.model_picker.model_chosen.connect(s.set_model)
        self.model_picker.model_checked.connect(s.model_checked)
        self.model_picker.manage_requested.connect(self.window_actions.open_model_manager)
        for signal in (s.reports_changed, s.task_changed, s.model_changed, s.running_changed,
                       s.resumable_changed, s.grouping_checked):
            signal.connect(self._update_ready)

        self.run_panel.run_button.clicked.connect(self.window_actions.run)
        self.run_panel.resume_button.clicked.connect(lambda: self.window_actions.resume())
        self.run_panel.stop_button.clicked.connect(self.window_actions.stop)
        s.running_changed.connect(self.run_panel.set_running)
        s.resumable_changed.connect(self.run_panel.set_resumable)
        s.stopping.connect(self.run_panel.show_stopping)
        s.run_status.connect(self.run_panel.show_status)
        s.hash_progressed.connect(self.run_panel.show_hash)
        s.progress_changed.connect(self.run_panel.show_progress)
        s.run_finished.connect(self.run_panel.show_result)
        s.run_failed.connect(self.window_actions.show_failure)
        s.run_finished.connect(lambda _result: self.history.refresh())
        s.run_failed.connect(lambda _message: self.history.refresh())

        s.run_opened.connect(self.results.show_run)
        s.run_opened.connect(lambda *_args: self.show_results())
        s.record_added.connect(self.results.add_record)
        self.results.record_selected.connect(self._show_detail)
        self.results.export_requested.connect(self.window_actions.export_results)
        self.history.run_chosen.connect(self.window_actions.open_run)
        self.history.resume_requested.connect(self.window_actions.resume)
        s.running_changed.connect(lambda _running: self.history.refresh())
        s.opening_changed.connect(self.history.set_opening)
        s.run_open_failed.connect(self.window_actions.show_open_failure)

        s.run_opened.connect(self.review.show_run)
        s.record_added.connect(self.review.add_record)
        s.reports_changed.connect(self.review.refresh)
        s.running_changed.connect(self.review.set_running)
        self.results.review_requested.connect(self.show_review)
        self.review.reviewer_changed.connect(self.window_actions.set_reviewer)
        self.review.review_stored.connect(self.results.show_review)

        s.run_opened.connect(self.validation.show_run)
        s.running_changed.connect(self.validation.set_running)
        self.validation.disagreement_selected.connect(self._show_disagreement)
        self.validation.show_in_results.connect(self._show_in_results)

    # -- small glue ---------------------------------------------------------------------------

    def _update_ready(self, *_args) -> None:
        missing = self.session.can_run()
        self.run_panel.set_ready(missing)
        self.run_action.setEnabled(missing is None)
        self.stop_action.setEnabled(self.session.running)
        exportable = self.results.run_dir is not None and not self.session.running
        self.results.set_exportable(exportable)
        self.export_action.setEnabled(exportable)

    def _show_detail(self, record) -> None:
        self._fill_detail(self.detail, record)

    def _show_disagreement(self, record_id: str) -> None:
        self._fill_detail(self.validation.detail, self.results.model.record_by_id(record_id))

    def _fill_detail(self, pane: DetailPane, record) -> None:
        """A record beside its report's text (when the report is loaded) in a detail pane."""
        report = self.session.report_by_id(record.id) if record is not None else None
        pane.show_record(record, report, self.results.model.task)

    def _show_in_results(self, record_id: str) -> None:
        if self.results.select_record(record_id):
            self.show_results()

    def show_results(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_review(self) -> None:
        self.tabs.setCurrentWidget(self._pages[self.review])
        self.review.fields.setFocus()

    def closeEvent(self, event) -> None:
        if not self.window_actions.confirm_quit():
            event.ignore()
            return
        self.session.shutdown()
        super().closeEvent(event)
