"""The measuring side of the window: sliders, spin boxes, live prediction, uncertain and unusual notices."""

import itertools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop.prediction.engine import Classifier
from desktop.ui.measurement_panel import slider_range
from desktop.ui.qt_main_window import MainWindow


def bar_values(window: MainWindow) -> dict[str, int]:
    return {species: bar.value() for species, bar in window.result.bars().items()}


def test_moving_a_slider_updates_the_probability_bars(window: MainWindow) -> None:
    petal_length, petal_width = window.measurements.sliders()[2:4]
    petal_length.setValue(14)
    petal_width.setValue(2)
    small = bar_values(window)
    window.measurements.sliders()[0].setValue(70)  # a real virginica's petals are shorter than its sepals
    petal_length.setValue(60)
    petal_width.setValue(25)
    large = bar_values(window)
    assert max(small, key=small.get) == "setosa"
    assert max(large, key=large.get) == "virginica"
    assert window.result.species_text() == "Iris virginica"
    assert window.measurements.values()[2:4] == (6.0, 2.5)


def test_typing_in_a_spin_box_moves_its_slider_and_predicts(window: MainWindow, qtbot) -> None:
    spin = window.measurements.spin_boxes()[2]
    slider = window.measurements.sliders()[2]
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1.4")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == 1.4
    assert slider.value() == 14
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), "6.1")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert slider.value() == 61
    assert window.result.bars()["setosa"].value() < 500


def test_arrow_keys_move_a_slider_by_a_tenth_and_page_keys_by_a_whole_unit(window: MainWindow, qtbot) -> None:
    slider = window.measurements.sliders()[0]
    spin = window.measurements.spin_boxes()[0]
    slider.setValue(50)
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert spin.value() == 5.1
    qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert spin.value() == 6.1
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert spin.value() == 5.0


def test_tab_walks_the_measurements_in_card_order(window: MainWindow, qtbot) -> None:
    sliders = window.measurements.sliders()
    spins = window.measurements.spin_boxes()
    expected = [w for pair in zip(sliders, spins, strict=True) for w in pair]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    sliders[0].setFocus()
    walked = [QApplication.focusWidget()]
    for _ in expected[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    assert walked == expected


def test_labels_units_and_slider_ranges_come_from_the_model_card(window: MainWindow) -> None:
    card = window.classifier.card
    for feature, slider, spin in zip(
        card.features, window.measurements.sliders(), window.measurements.spin_boxes(), strict=True
    ):
        low, high = slider_range(feature)
        assert low <= feature.stats.min and high >= feature.stats.max
        assert high > feature.stats.max, "the slider must reach values the model never saw"
        assert (slider.minimum(), slider.maximum()) == (round(low * 10), round(high * 10))
        assert spin.suffix() == f" {feature.unit}"
        assert slider.accessibleName() == feature.label


def test_values_outside_the_training_range_show_a_warning_naming_feature_and_range(
    window: MainWindow,
) -> None:
    petal_width = window.classifier.card.features[3]
    window.measurements.set_values({"petal_width": petal_width.stats.max + 1.5})
    notices = " ".join(window.result.notices())
    assert "⚠" in notices
    assert petal_width.label in notices
    assert f"({petal_width.stats.min:g}–{petal_width.stats.max:g} {petal_width.unit})" in notices
    window.measurements.set_values({"petal_width": petal_width.stats.mean})
    assert not any("⚠" in n for n in window.result.notices())


def test_a_low_top_probability_is_called_uncertain_in_words(window: MainWindow) -> None:
    classifier: Classifier = window.classifier
    # Find a flower between versicolor and virginica that this model is unsure about.
    grid = itertools.product(
        [6.0, 6.3], [2.7, 2.9], [x / 10 for x in range(44, 56)], [x / 10 for x in range(14, 20)]
    )
    unsure = next(values for values in grid if classifier.predict(values).uncertain)
    names = classifier.card.feature_names
    window.measurements.set_values(dict(zip(names, unsure, strict=True)))
    assert window.result.species_text() == "Uncertain"
    assert any("less than 60% sure" in notice for notice in window.result.notices())
    window.measurements.set_values(dict(zip(names, [5.1, 3.5, 1.4, 0.2], strict=True)))
    assert window.result.species_text() == "Iris setosa"
    assert window.result.notices() == ()


def test_every_measuring_control_has_an_accessible_name(window: MainWindow) -> None:
    controls = [
        *window.measurements.sliders(),
        *window.measurements.spin_boxes(),
        *window.result.bars().values(),
        window.save_form.note,
        window.save_form.location,
        window.save_form.save_button,
        window.history.search,
        window.history.table,
    ]
    assert all(control.accessibleName() for control in controls)


def test_a_flower_unlike_any_in_training_gets_words_not_a_confident_percentage(window: MainWindow) -> None:
    window.measurements.set_values(
        {"sepal_length": 4.3, "sepal_width": 4.4, "petal_length": 6.9, "petal_width": 2.5}
    )
    assert window.result.species_text() == "Unusual flower"
    assert any("Unlike any flower the model was trained on" in n for n in window.result.notices())
    assert "%" not in window.result.findChild(QLabel, "confidence").text()
    assert not window.result.bars()["virginica"].isEnabled()
    window.save_action.trigger()
    (saved,) = window.store.list()
    assert saved.outlier and saved.outlier_score > window.classifier.card.novelty.threshold


def test_an_ordinary_flower_keeps_its_percentage(window: MainWindow) -> None:
    window.measurements.set_values(
        {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    )
    assert window.result.species_text() == "Iris setosa"
    assert window.result.findChild(QLabel, "confidence").text().endswith("%")
