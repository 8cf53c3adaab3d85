"""Edge routing: where each edge leaves and enters its cards, and where its label sits.

An edge leaves and enters its cards on the sides that face each other (`facing_sides`):
right to left when the target lies to the right, left to right when it lies to the left
(so a backward edge does not loop around its card), bottom to top or top to bottom when
the cards sit in one column. When several edges share a side they are spread over it
(ports), ordered by where the card at their other end is along that side, so arrows
neither pile up on one point nor cross each other; parallel edges joining the same two
cards bend apart (lanes); a label looks for a spot along its curve that no card covers.

The `EdgeRouter` keeps the bookkeeping this needs (which edges touch which card, how many
join each pair, labels still waiting for a spot) and re-routes what a change touched. It
reads card positions from the scene's items and writes curves into the edge items; it
holds no scene of its own: the scene tells it what was added, removed or moved, and what
the views show. The plain geometry (port spread, lanes, how much of a rectangle the cards
cover) is in functions at the end.

Routing runs for every edge of every moved card (an undo of a 500-node move re-routes a
thousand edges), so its loops read each position once and avoid Qt objects.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

from PySide6.QtCore import QRectF

from .edge_item import EdgeItem
from .node_item import H, W, NodeItem

PORT_SPACING = 10.0  # distance between edge ends sharing one side of a card
PORT_MARGIN = 8.0  # spread ports keep this far from a card's top and bottom
LANE_SPACING = 26.0  # bend between parallel edges joining the same two nodes
GRID_CELL = 240.0  # bucket size of the card lookup used to keep labels off cards
EAGER_LABELS = 200  # edges routed at once beyond which off-screen labels are placed later
MIN_SIDE_GAP = 20.0  # a horizontal gap at least this wide joins side to side, else top to bottom

# The sides of a card, and for each the outward direction and whether its ports spread
# along x (top, bottom) or y (left, right).
RIGHT, LEFT, BOTTOM, TOP = 0, 1, 2, 3
SIDE_DIRECTION = {RIGHT: (1.0, 0.0), LEFT: (-1.0, 0.0), BOTTOM: (0.0, 1.0), TOP: (0.0, -1.0)}

Overlap = Callable[[float, float, float, float], float]


class EdgeRouter:
    """Routes the edges of one scene. `nodes` and `edges` are the scene's own dicts of
    items (id -> NodeItem, id(edge) -> EdgeItem); `visible_region()` is what the views
    show, in scene coordinates."""

    def __init__(self, visible_region: Callable[[], QRectF]) -> None:
        self._visible_region = visible_region
        self.labels_shown = True  # False while zoomed out too far to read labels
        self.reset({}, {})

    def reset(self, nodes: dict[str, NodeItem], edges: dict[int, EdgeItem]) -> None:
        """Start over on these (empty or newly built) dicts of the scene's items."""
        self._nodes, self._edges = nodes, edges
        self._edges_of: dict[str, list[EdgeItem]] = {}
        self._pair_count: Counter = Counter()  # edges per (source, target): parallel ones bend apart
        self._stale_labels: dict[int, EdgeItem] = {}  # labels waiting for a spot (place_stale_labels)

    # -- what there is -------------------------------------------------------------------

    def edges_at(self, node_id: str) -> list[EdgeItem]:
        """The edge items leaving or entering this node (a self loop once)."""
        return self._edges_of.get(node_id, [])

    def add_node(self, node_id: str) -> None:
        self._edges_of.setdefault(node_id, [])

    def remove_node(self, node_id: str) -> None:
        self._edges_of.pop(node_id, None)

    def rename_node(self, old_id: str, new_id: str) -> None:
        """A node's id changed (its edges already name the new one)."""
        self._edges_of[new_id] = self._edges_of.pop(old_id, [])
        self._pair_count = Counter({(new_id if s == old_id else s, new_id if t == old_id else t): n
                                    for (s, t), n in self._pair_count.items()})

    def add_edge(self, item: EdgeItem) -> None:
        """Count in an edge whose two ends are on the canvas (it is routed by the next
        `route_around` or `route_edges` that includes it)."""
        source, target = item.edge.source, item.edge.target
        self._edges_of[source].append(item)
        self._pair_count[(source, target)] += 1
        if target != source:
            self._edges_of[target].append(item)

    def remove_edge(self, item: EdgeItem) -> None:
        source, target = item.edge.source, item.edge.target
        self._stale_labels.pop(id(item), None)
        for end in {source, target}:
            items = self._edges_of.get(end)
            if items and item in items:
                items.remove(item)
        self._pair_count[(source, target)] -= 1

    # -- routing -------------------------------------------------------------------------

    def route_around(self, node_ids: set[str]) -> None:
        """Re-route the edges of these nodes and of their neighbours (whose port order
        on the shared side may change when a neighbour moves)."""
        if not node_ids:
            return
        if len(node_ids) * 2 > len(self._nodes):
            # Most of the drawing moved (select all and drag, auto-layout, undo of
            # either): every edge is re-routed; collecting neighbours would cost more.
            self.route_edges(self._edges.values())
            return
        nodes = set(node_ids)
        for node_id in node_ids:
            for item in self._edges_of.get(node_id, ()):
                nodes.add(item.edge.source)
                nodes.add(item.edge.target)
        items: dict[int, EdgeItem] = {}
        for node_id in nodes:
            for item in self._edges_of.get(node_id, ()):
                items[id(item)] = item
        self.route_edges(items.values())

    def route_edges(self, items: Iterable[EdgeItem]) -> None:
        """Recompute these edges' curves (both their ends must be on the canvas)."""
        # Each edge's ends are read once, positions once per node.
        ends_of = [(item, item.edge.source, item.edge.target) for item in items]
        if not ends_of:
            return
        ends = set()
        for _, source, target in ends_of:
            ends.add(source)
            ends.add(target)
        # Neighbours' positions are read once here, not once per comparison while sorting.
        nodes = self._nodes
        if len(ends) * 2 > len(nodes):
            neighbours = nodes.keys()
        else:
            neighbours = set()
            for node_id in ends:
                for item in self._edges_of.get(node_id, ()):
                    neighbours.add(item.edge.source)
                    neighbours.add(item.edge.target)
        pos = {}
        for node_id in neighbours:
            item = nodes[node_id]
            pos[node_id] = (item.x(), item.y())
        for node_id in ends:  # every edge in `items` has both its ends here
            self._port_offsets(node_id, pos)
        # Labels look for a free spot (off the cards) only where they can be seen: all of
        # them in a small change, those near the screen in a big one (undo of a large
        # move, open), none while zoomed out too far to show labels. The others wait
        # in `_stale_labels` until the view scrolls or zooms to them.
        shown = self.labels_shown
        if not shown:
            visible, overlap = None, None
        else:
            visible = self._visible_region() if len(ends_of) > EAGER_LABELS else None
            overlap = self._card_overlap()
        pairs = self._pair_count
        stale = self._stale_labels
        for item, source, target in ends_of:
            key = id(item)
            # Where the edge or its label was in view, the label is placed now; elsewhere
            # it waits (see place_stale_labels), and so does every label while hidden.
            eager = shown and (visible is None or visible.intersects(item._bounds)
                               or visible.intersects(item.label_item._bounds))
            side_out, side_in = item.side_out, item.side_in
            sx, sy = anchor(pos[source], side_out, item.port_out)
            ex, ey = anchor(pos[target], side_in, item.port_in)
            item.update_path(sx, sy, ex, ey,
                             self._lane(item) if pairs[(source, target)] > 1 else 0.0,
                             overlap if eager else None, eager,
                             SIDE_DIRECTION[side_out], SIDE_DIRECTION[side_in])
            if shown and not eager and visible.intersects(item._bounds):
                item.place_label(overlap)  # moved into view
            if item.label_stale:
                stale[key] = item
            else:
                stale.pop(key, None)

    # -- labels left for later -----------------------------------------------------------

    def place_stale_labels(self, rect: QRectF) -> None:
        """Place the labels in `rect` that a big change left behind, where their edge
        is now or where they were (the view calls this when it scrolls, zooms or resizes,
        before it paints)."""
        if not self._stale_labels or not self.labels_shown:
            return  # the common case, checked on every scroll step
        # Plain float comparisons: this runs on every scroll step over hundreds of
        # waiting labels, and two QRectF tests each cost more than the whole frame's
        # arrowheads.
        x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
        stale = []
        for item in self._stale_labels.values():
            left, top, right, bottom = item.reach()
            if left < x1 and right > x0 and top < y1 and bottom > y0:
                stale.append(item)
        if stale:
            overlap = self._card_overlap()
            for item in stale:
                item.place_label(overlap)
                del self._stale_labels[id(item)]

    def settle_labels(self) -> None:
        """Put every waiting label on its edge as it is now (without looking for a free
        spot), so the labels' bounds are true."""
        for item in self._stale_labels.values():
            item.settle_label()

    # -- the parts of a route ------------------------------------------------------------

    def _card_overlap(self) -> Overlap:
        positions = []
        for item in self._nodes.values():
            p = item.pos()
            positions.append((p.x(), p.y()))
        return card_overlap_function(positions)

    def _port_offsets(self, node_id: str, pos: dict) -> None:
        """Choose the side of this card each of its edges uses (the side facing the other
        end) and spread the edge ends sharing a side along it, ordered by where the other
        end lies along that side (ties in the order the edges were added): sets each
        edge's side_out and port_out (at its source) or side_in and port_in (at its target)."""
        here = pos[node_id]
        on_side: tuple[list, list, list, list] = ([], [], [], [])  # per side: (sort key, k, item, leaving?)
        for k, item in enumerate(self._edges_of.get(node_id, ())):
            source, target = item.edge.source, item.edge.target
            if source == target:
                continue  # a self loop has no port
            leaving = source == node_id
            there = pos[target if leaving else source]
            side_out, side_in = facing_sides(here, there) if leaving else facing_sides(there, here)
            side = side_out if leaving else side_in
            # Along a left or right side by the other end's y (then x); along a top or bottom by x.
            along = (there[1], there[0]) if side in (RIGHT, LEFT) else there
            on_side[side].append((along, k, item, leaving))
        for side, ends in enumerate(on_side):
            if not ends:
                continue
            ends.sort(key=lambda end: (end[0], end[1]))
            for offset, (_, _, item, leaving) in zip(port_spread(len(ends), H if side in (RIGHT, LEFT) else W), ends):
                if leaving:
                    item.side_out, item.port_out = side, offset
                else:
                    item.side_in, item.port_in = side, offset

    def _lane(self, item: EdgeItem) -> float:
        """Bend for edges sharing both ends (e.g. a Lambda that sends to and fails over
        to the same queue), so their labels sit apart."""
        source, target = item.edge.source, item.edge.target
        siblings = [i for i in self._edges_of.get(source, ()) if i.edge.target == target and i.edge.source == source]
        return lane_offset(siblings.index(item), len(siblings)) if len(siblings) > 1 else 0.0


# --------------------------------------------------------------------------------------
# Geometry (plain numbers)


def facing_sides(source: tuple[float, float], target: tuple[float, float]) -> tuple[int, int]:
    """(side of the source card, side of the target card) an edge between cards at these
    top left corners uses: the sides that face each other. Side by side (a horizontal gap
    of MIN_SIDE_GAP or more) they join right to left, or left to right for a target on
    the left; in one column, bottom to top or top to bottom; overlapping, right to left."""
    (sx, sy), (tx, ty) = source, target
    if tx - (sx + W) >= MIN_SIDE_GAP:
        return RIGHT, LEFT
    if sx - (tx + W) >= MIN_SIDE_GAP:
        return LEFT, RIGHT
    if ty >= sy + H:
        return BOTTOM, TOP
    if sy >= ty + H:
        return TOP, BOTTOM
    return RIGHT, LEFT


def anchor(corner: tuple[float, float], side: int, offset: float) -> tuple[float, float]:
    """Where an edge meets a card (top left corner `corner`) on `side`, `offset` along it
    from the side's middle."""
    x, y = corner
    if side == RIGHT:
        return x + W, y + H / 2 + offset
    if side == LEFT:
        return x, y + H / 2 + offset
    if side == BOTTOM:
        return x + W / 2 + offset, y + H
    return x + W / 2 + offset, y


def port_spread(count: int, height: float = H) -> list[float]:
    """Vertical offsets from a card side's middle for `count` edge ends, top to bottom:
    PORT_SPACING apart, closer when that would leave the card."""
    if count <= 1:
        return [0.0] * count
    spacing = min(PORT_SPACING, (height - 2 * PORT_MARGIN) / (count - 1))
    middle = (count - 1) / 2
    return [(i - middle) * spacing for i in range(count)]


def lane_offset(index: int, count: int) -> float:
    """The bend of the index-th of `count` parallel edges: centred on 0, LANE_SPACING apart."""
    return (index - (count - 1) / 2) * LANE_SPACING


def card_overlap_function(positions: Iterable[tuple[float, float]], width: float = W,
                          height: float = H, cell: float = GRID_CELL) -> Overlap:
    """overlap(x0, y0, x1, y1) -> area of that rectangle covered by cards at these
    top-left positions, from a coarse grid of the cards (cheaper than asking the scene
    per label)."""
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for x, y in positions:
        for gx in range(int(x // cell), int((x + width) // cell) + 1):
            for gy in range(int(y // cell), int((y + height) // cell) + 1):
                grid.setdefault((gx, gy), []).append((x, y))

    def overlap(x0: float, y0: float, x1: float, y1: float) -> float:
        cards = set()
        for gx in range(int(x0 // cell), int(x1 // cell) + 1):
            for gy in range(int(y0 // cell), int(y1 // cell) + 1):
                bucket = grid.get((gx, gy))
                if bucket:
                    cards.update(bucket)
        total = 0.0
        for cx, cy in cards:
            w = (x1 if x1 < cx + width else cx + width) - (x0 if x0 > cx else cx)
            if w > 0:
                h = (y1 if y1 < cy + height else cy + height) - (y0 if y0 > cy else cy)
                if h > 0:
                    total += w * h
        return total

    return overlap
