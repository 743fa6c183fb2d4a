/**
 * Worker-thread entry that writes the synthetic tree, so the strings built on
 * the way do not stay in the bench's own heap and inflate the RSS it reports.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { generateTree, type TreeOptions } from './generate-tree.js'

const { root, options } = workerData as { root: string; options: TreeOptions }
parentPort?.postMessage(generateTree(root, options))
