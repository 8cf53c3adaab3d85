"""Right-click menus on the canvas: what can be done to what was clicked.

A card offers rename, connect-to, the clipboard, grouping and arranging; an edge its kind
and delete; a group its name, colour and nodes; a note its text; the empty canvas adds a
service or a note where it was clicked, pastes there, and arranges the view. The menus
reuse the main window's actions (so they show the same shortcuts) and otherwise call the
scene, which pushes the undo commands.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from model.catalogue import SERVICES, rules_between

from . import icons, style
from .canvas.connecting import connection_choices, kind_name
from .palette import CATEGORY_TITLES


def build_menu(window, subject: tuple, scene_pos: QPointF) -> QMenu:
    """The menu for ("node" | "edge" | "group" | "note", value) or ("canvas", None)."""
    menu = QMenu(window)
    menu.setObjectName("canvasContextMenu")
    kind, value = subject
    {"node": _node_menu, "edge": _edge_menu, "group": _group_menu, "note": _note_menu}.get(
        kind, _canvas_menu)(window, menu, value, scene_pos)
    return menu


def _node_menu(window, menu: QMenu, node_id: str, scene_pos: QPointF) -> None:
    scene, arch = window.scene, window.arch
    selected = [v for k, v in scene.selected_subjects() if k == "node"]
    if len(selected) <= 1:
        menu.addAction(window.act_rename)
        menu.addMenu(connect_menu(window, node_id, menu))
        menu.addSeparator()
    menu.addActions([window.act_cut, window.act_copy, window.act_duplicate, window.act_delete])
    menu.addSeparator()
    menu.addAction(window.act_group)
    joinable = [g for g in arch.groups if not set(selected) <= set(g.nodes)]
    if joinable:
        join = menu.addMenu("Add to Group")
        for group in joinable:
            join.addAction(group.label or group.id, lambda g=group.id: scene.annotations.add_to_group(g, selected))
    for group in arch.groups:
        if set(selected) & set(group.nodes):
            menu.addAction(f"Remove from “{group.label or group.id}”",
                           lambda g=group.id: scene.annotations.remove_from_group(g, selected))
    if len(selected) > 1:
        menu.addSeparator()
        window.fill_arrange_menu(menu.addMenu("Arrange"))


def connect_menu(window, node_id: str, parent: QMenu | None = None) -> QMenu:
    """Every node this one may connect to, with the kind of edge (keyboard: Ctrl+K)."""
    arch, scene = window.arch, window.scene
    menu = QMenu("Connect To", parent or window)
    menu.setObjectName("connectMenu")
    choices = connection_choices(arch, node_id)
    several = {target for target, _ in choices if len(rules_between(arch.nodes[node_id].service,
                                                                      arch.nodes[target].service)) > 1}
    for target, rule in sorted(choices, key=lambda c: (arch.nodes[c[0]].display_name.lower(), c[0])):
        node = arch.nodes[target]
        text = node.display_name if node.label is None else f"{node.label} ({target})"
        if target in several:
            text += f" — {kind_name(rule.kind)}"
        action = menu.addAction(icons.service_icon(node.service), text,
                                lambda t=target, k=rule.kind: scene.connect_nodes(node_id, t, k))
        action.setToolTip(rule.help)
    if not choices:
        menu.addAction("Nothing it may connect to").setEnabled(False)
    return menu


def _edge_menu(window, menu: QMenu, edge, scene_pos: QPointF) -> None:
    scene, arch = window.scene, window.arch
    src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
    rules = rules_between(src.service, dst.service) if src and dst else []
    if len(rules) > 1:
        kinds = menu.addMenu("Kind")
        group = QActionGroup(kinds)
        taken = {arch.edge_kind(e) for e in arch.edges
                 if e is not edge and (e.source, e.target) == (edge.source, edge.target)}
        for rule in rules:
            action = QAction(f"{kind_name(rule.kind)} — {rule.help}", kinds, checkable=True)
            action.setChecked(arch.edge_kind(edge) == rule.kind)
            action.setEnabled(rule.kind not in taken)
            action.triggered.connect(lambda _=False, k=rule.kind, d=rules[0].kind:
                                     scene.set_edge_kind(edge, None if k == d else k))
            group.addAction(action)
            kinds.addAction(action)
        menu.addSeparator()
    if src is not None:
        menu.addAction(f"Select Source ({src.display_name})", lambda: window.select(("node", edge.source)))
    if dst is not None:
        menu.addAction(f"Select Target ({dst.display_name})", lambda: window.select(("node", edge.target)))
    menu.addSeparator()
    menu.addAction(window.act_delete)


def _group_menu(window, menu: QMenu, group_id: str, scene_pos: QPointF) -> None:
    scene, group = window.scene, window.arch.group(group_id)
    menu.addAction(window.act_rename)
    colours = menu.addMenu("Colour")
    choice = QActionGroup(colours)
    for name, value in style.GROUP_COLOURS:
        action = QAction(name, colours, checkable=True)
        action.setChecked(group.colour == value)
        action.triggered.connect(lambda _=False, c=value: scene.annotations.set_group_colour(group_id, c))
        choice.addAction(action)
        colours.addAction(action)
    menu.addAction("Select Its Nodes", lambda: scene.select_nodes(group.nodes))
    menu.addSeparator()
    menu.addAction(window.act_ungroup)


def _note_menu(window, menu: QMenu, note_id: str, scene_pos: QPointF) -> None:
    menu.addAction("Edit Text", lambda: window.view.edit_subject(("note", note_id)))
    menu.addSeparator()
    menu.addActions([window.act_delete])


def _canvas_menu(window, menu: QMenu, _value, scene_pos: QPointF) -> None:
    add = menu.addMenu("Add Service Here")
    add.setObjectName("addServiceMenu")
    for category, title in CATEGORY_TITLES.items():
        specs = sorted((s for s in SERVICES.values() if s.category == category), key=lambda s: s.name)
        if not specs:
            continue
        add.addSection(title)
        for spec in specs:
            add.addAction(icons.service_icon(spec.key), spec.name,
                          lambda k=spec.key: window.scene.add_service_at(k, scene_pos))
    menu.addAction("Add Note Here", lambda: window.add_note(scene_pos))
    paste = menu.addAction("Paste Here", lambda: window.paste_at(scene_pos))
    paste.setEnabled(window.can_paste())
    menu.addSeparator()
    menu.addActions([window.act_select_all, window.act_layout, window.act_fit])
    if not window.arch.nodes:
        menu.addSeparator()
        menu.addAction(window.act_new_example)
