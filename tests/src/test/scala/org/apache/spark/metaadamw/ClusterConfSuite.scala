package org.apache.spark.metaadamw

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import org.apache.spark.internal.config.ConfigEntry
import org.apache.spark.util.Utils
import org.metaadamw.config.MetaAdamWConfig
import org.scalatest.funsuite.AnyFunSuite

import scala.collection.JavaConverters._

/**
 * The templates of cluster-conf parse as spark-submit reads a --properties-file, and name only keys
 * that exist: Spark's registered configuration entries (core and YARN; the registry is Spark's own,
 * hence this package), Spark's documented key families (resources, executorEnv, appMasterEnv, metrics,
 * hadoop), the two Kubernetes keys used (the Kubernetes module is not on Maven Central for this Spark
 * version, so they are listed from Spark's "Running on Kubernetes" page), and spark.metaadamw.* keys
 * with values MetaAdamWConfig accepts. Commented-out "# spark.x value" lines are checked too, since
 * they are meant to be uncommented. The Dockerfile and the k8s template name the build's Spark version
 * and the assembly jar the build writes. The YARN and standalone templates are also run for real
 * (YarnClusterSuite, StandaloneClusterSuite); the GPU and Kubernetes ones only here.
 */
class ClusterConfSuite extends AnyFunSuite {
  private val dir = Paths.get(sys.props("metaadamw.clusterConf"))
  private val sparkVersion = sys.props("metaadamw.sparkVersion")
  private val templates = Seq("spark-defaults.standalone.conf", "spark-defaults.yarn.conf", "spark-defaults.k8s.conf", "gpu.conf")

  // the objects that register Spark's entries when they are initialized (whatever ran before in this JVM)
  private val registries = (Seq("package", "Deploy", "History", "Kryo", "Network", "Python", "R", "Status", "Streaming", "Tests", "UI",
    "Worker").map(o => s"org.apache.spark.internal.config.$o$$") :+ "org.apache.spark.deploy.yarn.config.package$")
    .map(c => Class.forName(c, true, getClass.getClassLoader))

  private val families = Seq(
    "spark\\.(driver|executor|task)\\.resource\\.[A-Za-z0-9_-]+\\.(amount|discoveryScript|vendor)",
    "spark\\.executorEnv\\.[A-Za-z_][A-Za-z0-9_]*",
    "spark\\.yarn\\.appMasterEnv\\.[A-Za-z_][A-Za-z0-9_]*",
    "spark\\.metrics\\.conf\\.[^.]+\\.(sink|source)\\.[^.]+\\.[A-Za-z]+",
    "spark\\.hadoop\\..+").map(_.r.pattern)
  private val kubernetesKeys = Set("spark.kubernetes.container.image", "spark.kubernetes.authenticate.driver.serviceAccountName")

  private def exists(key: String): Boolean =
    registries.nonEmpty && ConfigEntry.findEntry(key) != null || key == "spark.master" || kubernetesKeys(key) ||
      families.exists(_.matcher(key).matches())

  /** The settings spark-submit reads, plus the commented-out ones. */
  private def settings(name: String): Map[String, String] = {
    val file = dir.resolve(name)
    val active = Utils.getPropertiesFromFile(file.toString).toMap
    val commented = Files.readAllLines(file, StandardCharsets.UTF_8).asScala.map(_.trim)
      .filter(_.matches("#\\s*spark\\.[\\w.*/-]+\\s+\\S.*")).map { l =>
        val kv = l.stripPrefix("#").trim.split("\\s+", 2)
        kv(0) -> kv(1)
      }
    active ++ commented
  }

  for (t <- templates) test(s"$t parses and names only existing keys with valid values") {
    val s = settings(t)
    assert(s.nonEmpty)
    val unknown = s.keys.filterNot(k => k.startsWith("spark.metaadamw.") || exists(k))
    assert(unknown.isEmpty, s"$t: no such Spark setting: ${unknown.mkString(", ")}")
    val meta = s.filter(_._1.startsWith("spark.metaadamw."))
    MetaAdamWConfig.fromMap(meta.asJava) // throws naming the key and the allowed range
    s.get("spark.jars").foreach(j => assert(j.endsWith("metaadamw-spark-assembly.jar") || j.endsWith("metaadamw-spark-assembly-cuda.jar"),
      s"$t: spark.jars names $j, not the assembly"))
    s.get("spark.plugins").foreach(p => assert(Class.forName(p) != null))
  }

  test("a misspelt key would be caught") {
    assert(!exists("spark.executor.memoryOverHead") && !exists("spark.executor.resource.gpu.amout"))
    assert(exists("spark.executor.memoryOverhead") && exists("spark.executor.resource.gpu.amount"))
  }

  test("the Dockerfile and the k8s template name this build's Spark version and the assembly jar it writes") {
    val docker = new String(Files.readAllBytes(dir.resolve("Dockerfile")), StandardCharsets.UTF_8)
    val from = "(?m)^FROM\\s+(\\S+)".r.findFirstMatchIn(docker).map(_.group(1)).getOrElse(fail("no FROM line"))
    assert(from.startsWith(s"apache/spark:$sparkVersion-scala2.12-java17"), s"base image $from is not Spark $sparkVersion")
    val copy = "(?m)^COPY\\s+(\\S+)\\s+(\\S+)".r.findFirstMatchIn(docker).getOrElse(fail("no COPY line"))
    val jar = Paths.get(sys.props("metaadamw.assemblyJar"))
    val glob = java.nio.file.FileSystems.getDefault.getPathMatcher("glob:" + copy.group(1))
    assert(glob.matches(dir.getParent.relativize(jar)), s"COPY ${copy.group(1)} does not match the assembly ${jar.getFileName}")
    assert(Files.isRegularFile(jar), s"$jar missing")
    assert(copy.group(2).startsWith("/opt/spark/jars/"))
    assert(settings("spark-defaults.k8s.conf")("spark.kubernetes.container.image").endsWith(s":$sparkVersion-java17"))
  }
}
