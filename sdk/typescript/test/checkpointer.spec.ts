// LangGraph.js's own checkpointer validation suite (@langchain/langgraph-checkpoint-validation: getTuple,
// list, put, putWrites, deleteThread) against MemSidecarSaver, run by vitest (the suite is written for it).
// Its CLI (validate-checkpointer) fails to import any initializer in 1.1.1 ("findPackageRoot is not a
// function"), so the library entry point is used, as its README offers.
import { validate } from "@langchain/langgraph-checkpoint-validation";
import initializer from "./checkpointer-initializer.js";

validate(initializer);
