//! The system graph: systems as nodes, flows as edges (petgraph).
//!
//! Propagation walks it along simple paths; `check` asks it what is reachable; `graph`
//! draws it.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Bfs;

use crate::pipeline::{FlowId, Pipeline, SystemId};

/// The graph's node of `system`: node `i` is system `i`.
fn node(system: SystemId) -> NodeIndex {
    NodeIndex::new(system.index())
}

/// The systems and flows of a pipeline as a directed multigraph.
#[derive(Debug)]
pub struct SystemGraph {
    graph: DiGraph<SystemId, FlowId>,
    /// Outgoing flows per system in declaration order, precomputed for the hot path.
    outgoing: Vec<Vec<FlowId>>,
}

impl SystemGraph {
    /// Builds the graph; node `i` is system `i`, edges carry flow ids.
    #[must_use]
    pub fn new(pipeline: &Pipeline) -> Self {
        let mut graph = DiGraph::with_capacity(pipeline.systems.len(), pipeline.flows.len());
        for id in pipeline.system_ids() {
            graph.add_node(id);
        }
        for (id, flow) in pipeline.flows_with_ids() {
            graph.add_edge(node(flow.from), node(flow.to), id);
        }
        let mut outgoing = vec![Vec::new(); pipeline.systems.len()];
        for (id, flow) in pipeline.flows_with_ids() {
            outgoing[flow.from.index()].push(id);
        }
        Self { graph, outgoing }
    }

    /// Flows leaving `system`, in declaration order.
    #[must_use]
    pub fn outgoing(&self, system: SystemId) -> &[FlowId] {
        self.outgoing.get(system.index()).map_or(&[], Vec::as_slice)
    }

    /// Flows entering `system`, in declaration order.
    #[must_use]
    pub fn incoming(&self, system: SystemId) -> Vec<FlowId> {
        let mut flows: Vec<FlowId> = self
            .graph
            .edges_directed(node(system), Direction::Incoming)
            .map(|e| *e.weight())
            .collect();
        flows.sort_unstable();
        flows
    }

    /// Which systems can be reached from any of `starts` (the starts included), by
    /// [`SystemId::index`].
    #[must_use]
    pub fn reachable(&self, starts: impl IntoIterator<Item = SystemId>) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_count()];
        for start in starts {
            let mut bfs = Bfs::new(&self.graph, node(start));
            while let Some(n) = bfs.next(&self.graph) {
                seen[n.index()] = true;
            }
        }
        seen
    }

    /// The underlying petgraph graph, for rendering and algorithms.
    #[must_use]
    pub fn inner(&self) -> &DiGraph<SystemId, FlowId> {
        &self.graph
    }
}
