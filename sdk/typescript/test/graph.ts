// A small LangGraph.js graph with a human-approval interrupt, run as its own process by the tests:
//   node dist/test/graph.js <address> <token> <kv namespace> <thread> start|resume|append <word>
// The Python suite's graph (sdk/python/tests/test_langgraph_graphs.py) has the same nodes and channel.
import { Annotation, Command, END, START, StateGraph, interrupt } from "@langchain/langgraph";
import { MemSidecar } from "../src/index.js";
import { MemSidecarSaver } from "../src/langgraph.js";

const State = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });

export function buildGraph(saver: MemSidecarSaver) {
  return new StateGraph(State)
    .addNode("plan", () => ({ steps: ["plan"] }))
    .addNode("approve", () => ({ steps: [`approved:${interrupt("approve?") as string}`] }))
    .addNode("act", () => ({ steps: ["act"] }))
    .addEdge(START, "plan").addEdge("plan", "approve").addEdge("approve", "act").addEdge("act", END)
    .compile({ checkpointer: saver });
}

export function appendGraph(saver: MemSidecarSaver) {
  return new StateGraph(State).addNode("note", () => ({ steps: [] })).addEdge(START, "note").addEdge("note", END)
    .compile({ checkpointer: saver });
}

if (process.argv[1]?.endsWith("graph.js")) {
  const [address, token, ns, thread, step, word] = process.argv.slice(2) as [string, string, string, string, string, string?];
  const saver = new MemSidecarSaver(new MemSidecar(address, { token }), ns);
  const config = { configurable: { thread_id: thread } };
  if (step === "append") {
    const out = await appendGraph(saver).invoke({ steps: [word!] }, config);
    console.log(JSON.stringify(out.steps));
  } else {
    const graph = buildGraph(saver);
    const out = step === "start" ? await graph.invoke({ steps: [] }, config) : await graph.invoke(new Command({ resume: "yes" }), config);
    console.log(("__interrupt__" in out ? "INTERRUPTED " : "DONE ") + JSON.stringify(out.steps));
  }
}
